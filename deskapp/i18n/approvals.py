"""Strings of deferrals and waivers (the GM's approvals) and month-end."""

EN: dict[str, str] = {
}

ZH: dict[str, str] = {
}
