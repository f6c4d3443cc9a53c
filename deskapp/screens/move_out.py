"""Move-out (pushed from the tenants screen): the checklist of services/moveout.py, the
same modal as the move-in's (screens/move_in.py) with its own items and forms."""

from __future__ import annotations

from textual.binding import Binding

from ..services import moveout, validate
from .move_in import Field, MoveScreen


class MoveOutScreen(MoveScreen):
    """The move-out checklist of one active (or moving-out) tenant."""

    KIND = "out"
    PREFIX = "moveout"
    ITEM_KEYS = {"keys": "k", "meter": "m", "inspection": "i", "fees": "f", "deposit": "p"}
    BINDINGS = [Binding("k", "keys", "key.move_keys"),
                Binding("m", "meter", "key.move_meter"),
                Binding("i", "inspect", "key.move_inspect"),
                Binding("x", "deduct", "key.move_deduct"),
                Binding("f", "call('fees')", "key.move_fees"),
                Binding("p", "call('deposit')", "key.move_deposit")]
    CALLS = {"fees": moveout.check_fees, "deposit": moveout.record_deposit}

    def book(self, desk, moment):
        return moveout.book_move_out(desk, self.tenant_id, moment)

    def complete(self, desk):
        return moveout.complete_move_out(desk, self.tenant_id)

    def key_hint(self, ready: bool) -> str:
        from ..i18n import t

        return f"x {t('key.move_deduct')}  " + super().key_hint(ready)


    def action_keys(self) -> None:
        desk = self.desk()
        waiting = [k for k in moveout.keys_of(self.tenant_id) if k.returned_count is None]
        first = waiting[0] if waiting else None
        fields = [Field("key", "movein.form.key", first.label if first else ""),
                  Field("returned", "movein.form.returned", str(first.count) if first else "")]
        self.form("moveout.item.keys", fields, lambda v: lambda: moveout.return_key(
            desk, self.tenant_id, v["key"], v["returned"]))

    def _next_line(self) -> tuple[str, str]:
        """The first move-in line not compared yet (the form offers it)."""
        move = self.move()
        done = {(r.unit, r.item) for r in moveout.inspections_of(move)} if move else set()
        for key in moveout.move_in_record(self.tenant_id):
            if key not in done:
                return key
        return ("", "")

    def action_inspect(self) -> None:
        desk = self.desk()
        unit, item = self._next_line()
        fields = [Field("unit", "movein.form.unit", unit), Field("item", "movein.form.item", item),
                  Field("defect", "movein.form.defect")]
        self.form("moveout.item.inspection", fields, lambda v: lambda: moveout.inspect_out(
            desk, self.tenant_id, v["unit"], v["item"], ok=not v["defect"].strip(),
            note=v["defect"]))

    def action_meter(self) -> None:
        desk = self.desk()
        meters = moveout.current_meters(self.tenant_id)
        fields = [Field("meter", "movein.form.meter", meters[0].code if meters else ""),
                  Field("reading", "movein.form.reading")]
        self.form("moveout.item.meter", fields, lambda v: lambda: moveout.read_meter_out(
            desk, self.tenant_id, v["meter"], v["reading"]))

    def action_deduct(self) -> None:
        desk = self.desk()
        move = self.move()
        before = moveout.move_in_record(self.tenant_id)
        worse = [r for r in moveout.inspections_of(move)
                 if moveout.is_worse(r, before.get((r.unit, r.item)))] if move else []
        first = next((r for r in worse if r.deduction_fen is None), worse[0] if worse else None)
        fields = [Field("unit", "movein.form.unit", first.unit if first else ""),
                  Field("item", "movein.form.item", first.item if first else ""),
                  Field("amount", "movein.form.amount"), Field("reason", "movein.form.reason",
                                                              first.note if first else "")]

        def save(values: dict):
            amount = validate.yuan(values["amount"], "amount")  # refused on the form itself
            return lambda: moveout.deduct(desk, self.tenant_id, values["unit"], values["item"],
                                          amount, values["reason"])

        self.form("key.move_deduct", fields, save)
