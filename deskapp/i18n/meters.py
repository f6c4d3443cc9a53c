"""Strings of meter readings and their import (services/meters.py, commands/meters.py)."""

EN: dict[str, str] = {
}

ZH: dict[str, str] = {
}
