"""Amounts of time as the IMAGE formats carry them: "1 year" in one cell, or derived from two dates.

Shared by the IMAGE template and CRB-Anim. The number is kept as written
(validation judges it); a unit is stored as IMAGE's plural term when it is
one of them in any case or number ("Year" → "years"), and as written
otherwise, so validation can report it.
"""

from __future__ import annotations

import re
from datetime import date

UNITS: tuple[str, ...] = ("minutes", "hours", "days", "weeks", "months", "years")
# A number and a word in one cell; the spec's "1 year", with or without spaces around.
_AMOUNT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\s*$")


def unit_term(unit: str) -> str:
    """IMAGE's plural unit for `unit`, or `unit` as written when it names none."""
    word = unit.strip().lower()
    plural = word if word.endswith("s") else f"{word}s"
    return plural if plural in UNITS else unit.strip()


def split_amount(cell: str, unit: str = "") -> tuple[str, str]:
    """(number, unit) of a cell that may hold both ("7 days"); `unit` comes from a separate units column.

    A cell that is not a number and a word is kept whole as the number, so
    validation shows it as written.
    """
    match = _AMOUNT.match(cell)
    if match is not None:
        return match.group(1), unit_term(match.group(2))
    return cell, unit_term(unit) if unit else ""


def derived_age(birth: str, collection: str) -> tuple[str, str] | None:
    """The animal's age at collection from two ISO dates, as IMAGE derives it (formats.md §2.5), or None.

    Whole years when at least one, else whole months, else days. No age when
    a date is missing or not a full YYYY-MM-DD, the birth is after the
    collection, or either year is 1900 (a placeholder).
    """
    try:
        born, collected = date.fromisoformat(birth), date.fromisoformat(collection)
    except ValueError:
        return None
    if born > collected or 1900 in (born.year, collected.year):
        return None
    months = (collected.year - born.year) * 12 + collected.month - born.month
    if collected.day < born.day:
        months -= 1
    if months >= 12:
        return str(months // 12), "years"
    if months >= 1:
        return str(months), "months"
    return str((collected - born).days), "days"
