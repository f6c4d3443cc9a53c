"""What the forms opened for one tenant (passes, a sign order) share: the tenant's name
in the title, a labelled field row, one save at a time through the app's writer with the
refusal shown on the form, and Esc asking before typed text is thrown away.

A form gives ``_typed()`` (what is in its fields, compared with what was there on mount:
``self._untouched``) and ``save()``, which checks and calls ``self.save_with(call, done,
error)``.
"""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label, Static

from ..i18n import t
from ..services import DeskError
from ..services.tenants import find_tenant
from . import localise_bindings
from .confirm import dismiss_unless_kept
from .typeahead import TypeAheadScreen


def field_row(key: str, label: str, widget) -> ComposeResult:
    """A form's line: the label, then the widget (``#field-<key>`` for the styles)."""
    with Horizontal(classes="field", id=f"field-{key}"):
        yield Label(label, classes="field-label", markup=False)
        yield widget


class TenantFormScreen(TypeAheadScreen):
    BINDINGS = [
        Binding("escape", "cancel", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
    ]

    _saving = False
    _untouched: tuple = ()

    def __init__(self, tenant_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.tenant = find_tenant(tenant_id)

    def title_row(self, key: str) -> Static:
        """The form's title naming the tenant, as typed (no markup read in a name)."""
        return Static(t(key, tenant=self.tenant.name), classes="dialog-title", markup=False)

    def _typed(self) -> tuple:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def action_save(self) -> None:
        if not self._saving:  # a second ctrl+s while the first is on its way: nothing
            self.save()

    def save_with(self, call: Callable, done: Callable, error: Static) -> None:
        """Run ``call`` in the app's writer; a refusal is shown in ``error`` and the form
        may be saved again."""
        self._saving = True

        def failed(exc: DeskError) -> None:
            self._saving = False
            error.update(exc.message())

        self.app.write(call, done, failed)

    def action_cancel(self) -> None:
        dismiss_unless_kept(self, typed=self._typed() != self._untouched)
