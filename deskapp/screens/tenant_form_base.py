"""What the forms opened for one tenant (passes, a sign order) share: the tenant's name
in the title and a labelled field row; saving once, with the refusal shown on the form
and Esc asking before typed text is thrown away, is SavingForm's (typeahead.py)."""

from __future__ import annotations


from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Static

from ..i18n import t
from ..services.tenants import find_tenant
from .typeahead import SavingForm


def field_row(key: str, label: str, widget) -> ComposeResult:
    """A form's line: the label, then the widget (``#field-<key>`` for the styles)."""
    with Horizontal(classes="field", id=f"field-{key}"):
        yield Label(label, classes="field-label", markup=False)
        yield widget


class TenantFormScreen(SavingForm):
    """A SavingForm about one tenant, named in its title as typed."""

    def __init__(self, tenant_id: int) -> None:
        super().__init__()
        self.tenant = find_tenant(tenant_id)

    def title_row(self, key: str) -> Static:
        """The form's title naming the tenant, as typed (no markup read in a name)."""
        return Static(t(key, tenant=self.tenant.name), classes="dialog-title", markup=False)
