"""CRB-Anim storage temperatures mapped to IMAGE's "Sample storage" terms, exactly as formats.md §2.3 gives them.

The match is exact: the temperature as CRB-Anim writes it, with the degree
sign and no space. Any other value is kept as written (InjectTool drops it
with a log line nobody reads), so validation reports it and the scientist
sees what the file said and can pick the right term on the page.
"""

from __future__ import annotations

TEMPERATURES: dict[str, str] = {
    "-196°C": "frozen, liquid nitrogen",
    "-20°C": "frozen, -20 degrees Celsius freezer",
    "-30°C": "frozen, -20 degrees Celsius freezer",
    "-80°C": "frozen, -80 degrees Celsius freezer",
}


def storage_term(value: str) -> str:
    """IMAGE's storage term for a CRB-Anim temperature, or `value` itself when the table has none."""
    return TEMPERATURES.get(value, value)
