"""One booking (Enter on a bar of the day grid): what, when, who, its state and trail;
x cancels it with a reason, and the general manager approves (a) or refuses (r) a
borrowing awaiting approval."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from ..models import Booking
from ..views import safe_text
from ..widgets.key_bar import KeyBar
from . import localise_bindings


class BookingDetailScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("x", "cancel_booking", "key.cancel"),
        Binding("a", "approve", "key.approve"),
        Binding("r", "refuse", "key.refuse"),
    ]

    def __init__(self, booking_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.booking_id = booking_id

    def compose(self) -> ComposeResult:
        with Vertical(id="booking-box", classes="dialog"):
            yield Static("", id="booking-body", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.show()

    def _booking(self) -> Booking | None:
        return Booking.get_or_none(Booking.id == self.booking_id)

    def show(self) -> None:
        from ..services.bookings import booking_json

        booking = self._booking()
        body = self.query_one("#booking-body", Static)
        if booking is None:
            body.update(t("booking.gone", id=self.booking_id))
            return
        doc = booking_json(self.app.desk, booking)
        text = Text()
        text.append(t("booking.title", id=doc["id"], resource=safe_text(doc["resource"])), "bold")
        for line in (
                t("booking.when", start=doc["from"][:16].replace("T", " "),
                  end=doc["to"][:16].replace("T", " ")),
                t("booking.who", who=safe_text(doc.get("tenant") or booking.applicant or "—")),
                t("booking.what", kind=t(f"booking_kind.{doc['kind']}"),
                  state=t(f"booking_state.{doc['state']}")),
                safe_text(booking.note) if booking.note else "",
                t("booking.reason", reason=safe_text(booking.reason)) if booking.reason else ""):
            if line:
                text.append("\n" + line)
        body.update(text)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        booking = self._booking() if self.is_mounted else None
        if action in ("cancel_booking", "approve", "refuse"):
            if booking is None:
                return False
            if action == "cancel_booking":
                return booking.state in ("pending", "confirmed") and \
                    self.app.desk.allowed("booking.add")
            return booking.state == "pending" and self.app.desk.allowed("booking.approve")
        return True

    def _reasoned(self, title_key: str, call) -> None:
        from .reason import ReasonScreen

        def answered(reason: str | None) -> None:
            if reason:
                self._write(lambda: call(reason))

        self.app.push_screen(ReasonScreen(t(title_key), self.booking_id), answered)

    def _write(self, call) -> None:
        def done(booking) -> None:
            from ..services.rental_charges import charge_of

            charge = charge_of(booking.id) if booking.state == "cancelled" else None
            # a cancelled rental's charge stays on the ledger: reversing it is finance's
            self.app.say(t("booking.charge_stays", charge=charge.id) if charge is not None
                         else t("booking.changed", id=self.booking_id))
            self.show()

        self.app.write(call, done, lambda exc: self.app.say(exc.message(), "error"))

    def action_cancel_booking(self) -> None:
        from ..services.bookings import cancel_booking

        self._reasoned("key.cancel",
                       lambda reason: cancel_booking(self.app.desk, self.booking_id, reason))

    def action_approve(self) -> None:
        from ..services.bookings import approve_borrowing

        self._write(lambda: approve_borrowing(self.app.desk, self.booking_id))

    def action_refuse(self) -> None:
        from ..services.bookings import refuse_borrowing

        self._reasoned("key.refuse",
                       lambda reason: refuse_borrowing(self.app.desk, self.booking_id, reason))

    def action_back(self) -> None:
        self.dismiss(None)

