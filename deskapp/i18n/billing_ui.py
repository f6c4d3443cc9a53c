"""Strings of the billing screen (screen 4) and its forms."""

EN: dict[str, str] = {
}

ZH: dict[str, str] = {
}
