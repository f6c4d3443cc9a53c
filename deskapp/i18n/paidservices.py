"""Strings of temporary parking, the postal agency and business services."""

EN: dict[str, str] = {
}

ZH: dict[str, str] = {
}
