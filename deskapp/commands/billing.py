"""``deskapp billing run --month YYYY-MM`` and ``billing notices --month YYYY-MM
[--tenant NAME]`` (SPEC §9): a month's payment notices for scripts (cron) and finance.
``run --json`` prints the summary (counts, total); ``notices --json`` a list of notices
as SPEC §9 keys them. Money as strings with two decimals."""

from __future__ import annotations

from ..i18n import t


def register(commands, leaf, group) -> None:
    billing = group(commands, "billing")
    run = leaf(billing, "run", "cli.billing_run")
    run.add_argument("--month", metavar="YYYY-MM", required=True)
    listing = leaf(billing, "notices", "cli.billing_notices")
    listing.add_argument("--month", metavar="YYYY-MM", required=True)
    listing.add_argument("--tenant", metavar="NAME")
    listing.add_argument("--pdf", metavar="DIR", help=t("cli.billing_pdf"))


def run(args, desk, emit) -> int | None:
    if args.command != "billing":
        return None
    from ..services import billing
    from ..services.tickets import find_tenant

    if args.billing_command == "run":
        document = billing.summary_json(billing.run_month(desk, args.month))
        emit(args, document, lambda: _summary_text(document))
        return 0
    month = billing.month_key(args.month)
    tenant_id = None if args.tenant is None else find_tenant(args.tenant).id
    notices = billing.notices(month, tenant_id)
    if args.pdf is not None:
        _print(desk, month, notices, args.pdf, tenant_id is None)
    documents = [billing.notice_json(desk, n) for n in notices]
    emit(args, documents, lambda: "\n".join(_notice_text(d) for d in documents)
         or t("billing.no_notices", month=month))
    return 0


def _print(desk, month: str, notices: list, folder: str, whole_month: bool) -> None:
    """The notices as one-page PDFs in ``folder``, before the listing: a missing font or
    folder is refused (exit 2) with nothing listed as printed."""
    import sys
    from pathlib import Path

    from ..services import notice_pdf

    if whole_month:
        written = notice_pdf.write_month_pdfs(desk, month, folder)
    else:
        written = [notice_pdf.write_notice_pdf(desk, notice, Path(folder) / f"{notice.number}.pdf")
                   for notice in notices]
    print(t("billing.pdf_written", count=len(written), folder=folder), file=sys.stderr)


def _summary_text(document: dict) -> str:
    lines = [t("billing.run_done", **{k: document[k] for k in (
        "month", "issued", "already", "held", "skipped", "total")})]
    lines += [t("billing.run_held", tenant=row["tenant"], meters=", ".join(row["meters"]))
              for row in document["held_tenants"]]
    return "\n".join(lines)


def _notice_text(document: dict) -> str:
    head = t("billing.notice_head", number=document["number"], tenant=document["tenant"],
             month=document["month"], due=document["due_date"], total=document["total"],
             paid=document["paid"], balance=document["balance"])
    return "\n".join([head, *(t("billing.notice_line", kind=t(f"billing.kind.{line['kind']}"),
                                description=line["description"], quantity=line["quantity"],
                                price=line["unit_price"], amount=line["amount"])
                              for line in document["lines"])])
