"""The monthly tenant communication report (R-5.4): visits, complaints and how they
were resolved, suggestions, letters, mail and rubbish bags, for one month of the
building's calendar; as a document (JSON, the screen), and as CSV and XLSX files.

Exported cells are data, never formulas: in the CSV a text starting with = + - @ (or a
tab or carriage return) gets a leading ' (Excel would run ``=HYPERLINK(...)`` typed as a
tenant's name); in the XLSX every text is written as a string cell. The CSV is UTF-8
with a BOM, which Excel on a Chinese Windows PC needs to read it as UTF-8, not GBK.
"""

from __future__ import annotations


from peewee import JOIN

from ..i18n import t
from ..models import Target, Tenant, Ticket, TicketEvent
from .comms import bag_allowance, bags_by_tenant, letters, mail_due_at, mail_items, month
from .comms import month_bounds, suggestions
from . import common
from .context import Desk
from .export import iso as _iso
from .visits import is_late, visits_done

REPLY_EVENTS = ("reply", "reply_written")


def communication_report(desk: Desk, month_: str | None = None) -> dict:
    """The figures and the lines of one month (``YYYY-MM``, this month if None)."""
    desk.require("comms.report")
    month_ = month(desk, month_)
    since, until = month_bounds(desk, month_)
    tz = desk.profile().timezone
    return {
        "month": month_,
        "visits": _visits(since, until, tz),
        "complaints": _complaints(since, until, tz),
        "suggestions": _suggestions(since, until, tz),
        "letters": _letters(since, until),
        "mail": _mail(since, until),
        "bags": _bags(desk, month_),
    }


def _visits(since, until, tz: str) -> dict:
    items = [{"tenant": v.tenant.name, "kind": v.kind, "visitor": v.visitor,
              "at": _iso(v.done_at, tz), "late": is_late(v, tz), "feedback": v.feedback,
              "issues": v.issues} for v in visits_done(since, until)]
    return {"first_month": sum(i["kind"] == "first_month" for i in items),
            "regular": sum(i["kind"] == "regular" for i in items),
            "late": sum(i["late"] for i in items), "items": items}


def _complaints(since, until, tz: str) -> dict:
    """Complaints opened in the month, and what became of them by now: replied within
    the hour (the ``reply`` target met on time), the written replies asked and given,
    resolved or closed, and what the tenant was told (the reply notes)."""
    tickets = list(Ticket.select(Ticket, Tenant).join(Tenant, JOIN.LEFT_OUTER)
                   .where(Ticket.service == "complaint", Ticket.opened_at >= since,
                          Ticket.opened_at < until)
                   .order_by(Ticket.opened_at, Ticket.id))
    ids = [ticket.id for ticket in tickets] or [0]
    targets: dict[tuple[int, str], Target] = {}
    for target in (Target.select().where(Target.ticket.in_(ids), Target.cycle == 1)
                   .order_by(Target.id)):
        targets.setdefault((target.ticket_id, target.name), target)
    replies: dict[int, list[dict]] = {}
    for event in (TicketEvent.select().where(TicketEvent.ticket.in_(ids),
                                             TicketEvent.action.in_(REPLY_EVENTS))
                  .order_by(TicketEvent.at, TicketEvent.id)):
        replies.setdefault(event.ticket_id, []).append(
            {"at": _iso(event.at, tz), "by": event.actor, "note": event.reason,
             "written": event.action == "reply_written"})
    items = []
    for ticket in tickets:
        reply = targets.get((ticket.id, "reply"))
        written = targets.get((ticket.id, "written_reply"))
        items.append({
            "id": ticket.id, "tenant": ticket.tenant.name if ticket.tenant else None,
            "opened_at": _iso(ticket.opened_at, tz), "state": ticket.state,
            "replied_within_hour": _on_time(reply),
            "written_asked": written is not None,
            "written_replied": written is not None and written.met_at is not None,
            "written_on_time": _on_time(written),
            "replies": replies.get(ticket.id, []),
        })
    return {
        "count": len(items),
        "replied_within_hour": sum(i["replied_within_hour"] for i in items),
        "written_asked": sum(i["written_asked"] for i in items),
        "written_replied": sum(i["written_replied"] for i in items),
        "written_on_time": sum(i["written_on_time"] for i in items),
        "resolved": sum(i["state"] in ("resolved", "closed") for i in items),
        "closed": sum(i["state"] == "closed" for i in items),
        "items": items,
    }


def _on_time(target: Target | None) -> bool:
    return bool(target is not None and target.met_at is not None
                and target.due_at is not None and target.met_at <= target.due_at)


def _suggestions(since, until, tz: str) -> dict:
    items = [{"tenant": s.tenant.name, "at": _iso(s.received_at, tz), "text": s.text,
              "via": "visit" if s.visit_id else "desk"} for s in suggestions(since, until)]
    return {"count": len(items), "items": items}


def _letters(since, until) -> dict:
    rows = letters(since=since, until=until)
    return {"received": len(rows), "delivered": sum(r.delivered_at is not None for r in rows)}


def _mail(since, until) -> dict:
    rows = mail_items(since=since, until=until)
    delivered = [r for r in rows if r.delivered_at is not None]
    return {"arrivals": len(rows), "items": sum(r.count for r in rows),
            "delivered": len(delivered),
            "within_hour": sum(r.delivered_at <= mail_due_at(r) for r in delivered),
            "waiting": len(rows) - len(delivered)}


def _bags(desk: Desk, month_: str) -> dict:
    allowance = bag_allowance(desk)
    given = bags_by_tenant(month_)
    active = [tid for (tid,) in Tenant.select(Tenant.id).where(Tenant.status == "active")
              .tuples()]
    return {"allowance": allowance, "handed": int(sum(given.values())),
            "tenants": sum(1 for count in given.values() if count),
            "short": sum(1 for tid in active if int(given.get(tid, 0)) < allowance)}


# --- the report as a table (the CSV, the XLSX and the screen read the same rows) --------

def _yes(flag: bool) -> str:
    return t("comms_report.yes") if flag else t("comms_report.no")


def _when(text: str | None) -> str:
    """"2026-10-05T10:00:00+08:00" -> "2026-10-05 10:00" (building time already)."""
    return "" if not text else f"{text[:10]} {text[11:16]}"


def summary_rows(report: dict) -> list[tuple[str, int]]:
    """The figures of the month, each with its label."""
    v, c, s = report["visits"], report["complaints"], report["suggestions"]
    letters_, mail, bags = report["letters"], report["mail"], report["bags"]
    return [
        (t("comms_report.visits_first_month"), v["first_month"]),
        (t("comms_report.visits_regular"), v["regular"]),
        (t("comms_report.visits_late"), v["late"]),
        (t("comms_report.complaints_count"), c["count"]),
        (t("comms_report.complaints_replied_hour"), c["replied_within_hour"]),
        (t("comms_report.complaints_written_asked"), c["written_asked"]),
        (t("comms_report.complaints_written_replied"), c["written_replied"]),
        (t("comms_report.complaints_resolved"), c["resolved"]),
        (t("comms_report.complaints_closed"), c["closed"]),
        (t("comms_report.suggestions_count"), s["count"]),
        (t("comms_report.letters_received"), letters_["received"]),
        (t("comms_report.letters_delivered"), letters_["delivered"]),
        (t("comms_report.mail_arrivals"), mail["arrivals"]),
        (t("comms_report.mail_items"), mail["items"]),
        (t("comms_report.mail_within_hour"), mail["within_hour"]),
        (t("comms_report.mail_waiting"), mail["waiting"]),
        (t("comms_report.bags_handed"), bags["handed"]),
        (t("comms_report.bags_tenants"), bags["tenants"]),
        (t("comms_report.bags_short", allowance=bags["allowance"]), bags["short"]),
    ]


def report_rows(report: dict) -> list[list[object]]:
    """The whole report as rows of cells: a title, the figures, then one section per
    kind of line (visits, complaints with what the tenant was told, suggestions)."""
    rows: list[list[object]] = [[t("comms_report.title"), report["month"]], []]
    rows.append([t("comms_report.summary")])
    rows.extend([label, value] for label, value in summary_rows(report))
    rows += [[], [t("comms_report.visits")],
             [t("comms_report.col_date"), t("comms_report.col_tenant"), t("comms_report.col_kind"),
              t("comms_report.col_visitor"), t("comms_report.col_late"), t("comms_report.col_feedback"),
              t("comms_report.col_issues")]]
    for item in report["visits"]["items"]:
        rows.append([_when(item["at"]), item["tenant"], t(f"comms.visit_kind.{item['kind']}"),
                     item["visitor"], _yes(item["late"]), item["feedback"], item["issues"]])
    rows += [[], [t("comms_report.complaints")],
             [t("comms_report.col_ticket"), t("comms_report.col_date"), t("comms_report.col_tenant"),
              t("comms_report.col_state"), t("comms_report.col_replied_hour"), t("comms_report.col_resolution")]]
    for item in report["complaints"]["items"]:
        told = "\n".join(f"{_when(r['at'])} {r['note']}" for r in item["replies"])
        rows.append([item["id"], _when(item["opened_at"]), item["tenant"] or "",
                     t(f"state.{item['state']}"), _yes(item["replied_within_hour"]), told])
    rows += [[], [t("comms_report.suggestions")],
             [t("comms_report.col_date"), t("comms_report.col_tenant"), t("comms_report.col_via"),
              t("comms_report.col_text")]]
    for item in report["suggestions"]["items"]:
        rows.append([_when(item["at"]), item["tenant"], t(f"comms_report.via_{item['via']}"),
                     item["text"]])
    return rows


def csv_bytes(report: dict) -> bytes:
    return common.csv_bytes(report_rows(report))


def xlsx_bytes(report: dict) -> bytes:
    headings = {t("comms_report.title"), t("comms_report.summary"), t("comms_report.visits"),
                t("comms_report.complaints"), t("comms_report.suggestions")}
    return common.workbook_bytes(
        report_rows(report), report["month"], (18, 24, 12, 14, 10, 40, 30),
        heading=lambda r, row: r == 1 or (len(row) == 1 and row[0] in headings))


def write_report(desk: Desk, month_: str | None, *, csv_path: str | None = None,
                 xlsx_path: str | None = None) -> dict:
    """The report, and its files where asked (each written whole or not at all)."""
    report = communication_report(desk, month_)
    files = []
    for path, make in ((csv_path, csv_bytes), (xlsx_path, xlsx_bytes)):
        if path is not None:
            files.append((common.export_target(path), make(report)))
    common.write_exports(files, "error.comms_report_write")
    return report


__all__ = ["communication_report", "csv_bytes", "report_rows", "summary_rows",
           "write_report", "xlsx_bytes"]
