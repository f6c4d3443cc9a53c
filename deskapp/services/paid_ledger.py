"""The paid-services ledger (有偿服务台账, R-6.5): every line of the charges ledger of a
month — business services, rentals, postal items, whatever was posted — in the order of
service, a reversal on its own line (negative) beside the line it corrects, with the
totals by item. It reads the ledger and adds nothing of its own, so its total is the
month's charges to the fen. Temporary parking (visitors' cars, paid at the gate, on no
tenant's account) is beside it, not in it: the cars let out in the month and their
fees. Exported as CSV and XLSX for finance (formula-guarded).
"""

from __future__ import annotations


from ..i18n import t
from ..models import Charge, ParkingVisit
from . import common
from .charges import charges, month_key, quantity_text
from .context import Desk
from .prices import item_name


def ledger(desk: Desk, month: str) -> list[dict]:
    """The month's lines (money in fen): day, tenant, item, quantity, unit price,
    amount, how settled and who signed or how it was paid."""
    return [_line(charge) for charge in charges(month=month_key(month))]


def _line(charge: Charge) -> dict:
    return {"id": charge.id, "day": charge.service_date, "tenant": charge.tenant.name,
            "item": charge.item.code, "name": item_name(charge.item),
            "quantity": quantity_text(charge.quantity_milli),
            "quantity_milli": charge.quantity_milli, "unit_price_fen": charge.unit_price_fen,
            "amount_fen": charge.amount_fen, "settle": charge.settle,
            "signed_by": charge.signed_by, "paid_method": charge.paid_method,
            "source": charge.source, "reverses": charge.reverses_id}


def totals(lines: list[dict]) -> list[dict]:
    """By item code: its name, quantity (thousandths) and amount (fen), reversals
    netted."""
    by_item: dict[str, dict] = {}
    for line in lines:
        row = by_item.setdefault(line["item"], {"item": line["item"], "name": line["name"],
                                                "quantity_milli": 0, "amount_fen": 0})
        row["quantity_milli"] += line["quantity_milli"]
        row["amount_fen"] += line["amount_fen"]
    return [by_item[code] for code in sorted(by_item)]


def temporary_parking(desk: Desk, month: str) -> dict:
    """The cars let out in the month (building time) and what they paid, in fen."""
    from .comms import month_bounds

    since, until = month_bounds(desk, month_key(month))
    fees = [fee for (fee,) in ParkingVisit.select(ParkingVisit.amount_fen)
            .where(ParkingVisit.left_at >= since, ParkingVisit.left_at < until).tuples()]
    return {"count": len(fees), "total_fen": sum(fees)}


def how(line: dict) -> str:
    """Signed by whom (monthly account), or paid how."""
    if line["settle"] == "monthly":
        return line["signed_by"] or ""
    return t(f"paid_method.{line['paid_method']}") if line["paid_method"] else ""


def ledger_json(desk: Desk, month: str) -> dict:
    from ..money import format_yuan

    lines = ledger(desk, month)
    return {"month": month_key(month),
            "lines": [{"id": ln["id"], "day": ln["day"].isoformat(), "tenant": ln["tenant"],
                       "item": ln["item"], "name": ln["name"], "quantity": ln["quantity"],
                       "unit_price": format_yuan(ln["unit_price_fen"]),
                       "amount": format_yuan(ln["amount_fen"]), "settle": ln["settle"],
                       "signed_by": ln["signed_by"], "paid_method": ln["paid_method"],
                       "source": ln["source"], "reverses": ln["reverses"]} for ln in lines],
            "totals": [{"item": row["item"], "name": row["name"],
                        "quantity": quantity_text(row["quantity_milli"]),
                        "amount": format_yuan(row["amount_fen"])} for row in totals(lines)],
            "total": format_yuan(sum(ln["amount_fen"] for ln in lines)),
            "temporary_parking": _parking_json(desk, month)}


def _parking_json(desk: Desk, month: str) -> dict:
    from ..money import format_yuan

    parked = temporary_parking(desk, month)
    return {"count": parked["count"], "total": format_yuan(parked["total_fen"])}


def rows(desk: Desk, month: str) -> list[list[object]]:
    """The ledger as a spreadsheet's rows: title, the lines, then the totals by item."""
    from ..money import format_yuan

    month = month_key(month)
    lines = ledger(desk, month)
    out: list[list[object]] = [[t("paid_ledger.title", month=month)],
                               [t(f"paid_ledger.col.{c}") for c in
                                ("day", "tenant", "item", "quantity", "unit_price", "amount",
                                 "settle", "how")]]
    for ln in lines:
        out.append([ln["day"].isoformat(), ln["tenant"], ln["name"], ln["quantity"],
                    format_yuan(ln["unit_price_fen"]), format_yuan(ln["amount_fen"]),
                    t(f"settle.{ln['settle']}"), how(ln)])
    out.append([])
    out.append([t("paid_ledger.totals")])
    for row in totals(lines):
        out.append(["", "", row["name"], quantity_text(row["quantity_milli"]), "",
                    format_yuan(row["amount_fen"])])
    out.append(["", "", t("paid_ledger.total"), "", "",
                format_yuan(sum(ln["amount_fen"] for ln in lines))])
    parked = temporary_parking(desk, month)
    out.append([])
    out.append(["", "", t("paid_ledger.parking"), str(parked["count"]), "",
                format_yuan(parked["total_fen"])])
    return out


def xlsx_bytes(table: list[list[object]], title: str) -> bytes:
    return common.workbook_bytes(table, title, (12, 24, 24, 10, 10, 12, 12, 16),
                                 heading=lambda r, row: r <= 2)


def write_ledger(desk: Desk, month: str, csv_path: str | None = None,
                 xlsx_path: str | None = None) -> dict:
    """The ledger (``ledger_json``), and its files where asked, each written whole or not
    at all."""
    document = ledger_json(desk, month)
    files = []
    if csv_path is not None or xlsx_path is not None:
        table = rows(desk, document["month"])
        if csv_path is not None:
            files.append((common.export_target(csv_path), common.csv_bytes(table)))
        if xlsx_path is not None:
            files.append((common.export_target(xlsx_path),
                          xlsx_bytes(table, document["month"])))
    common.write_exports(files, "error.paid_ledger_write")
    return document


__all__ = ["how", "ledger", "ledger_json", "rows", "temporary_parking", "totals",
           "write_ledger", "xlsx_bytes"]
