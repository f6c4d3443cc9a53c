"""Strings of payments, receipts, statements, late fees and reminder letters."""

EN: dict[str, str] = {
}

ZH: dict[str, str] = {
}
