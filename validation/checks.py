"""One IMAGE rule applied to the entries of one attribute, as formats.md §4.2 says.

An entry is (value, units, terms): the value as text (or a number), its
units ("" for none), and the short ids of the ontology terms that came with
it (none for the site's flat records, whose terms come from the bundled
tables). The messages are IMAGE's own wording, followed by
" ({group} section)", so a submitter who knows IMAGE's tool recognises them.
Severity follows the spec: an invalid value is an Error whatever the
requirement level; a missing mandatory field is an Error and a missing
recommended one a Warning (in IMAGE's tool it passes silently; here the
submitter is told).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from uid.models import Record
from validation import ontology
from validation.ruleset import Rule

WARNING = Record.WARNING
ERROR = Record.ERROR
SHOWN_TERMS = 6
Entry = tuple[Any, str, tuple[str, ...]]

# formats.md §4.2, "Format patterns".
_URL = re.compile(r"((https?|ftps?)://)?(www\.)?[-a-zA-Z0-9@:%._+~#=]{2,256}\.[a-z]{2,6}\b[-a-zA-Z0-9@:%_+.~#?&/=]*$")
_EMAIL = re.compile(r"^(mailto:)?[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$")
_DOI_PREFIX = re.compile(r"^(doi:)?10\.\d{4,}(\.\d+)?$")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
DATE_FORMATS = {10: "YYYY-MM-DD", 7: "YYYY-MM", 4: "YYYY"}
AVAILABILITY = "Availability"
NO_LONGER_AVAILABLE = "no longer available"


@dataclass(frozen=True, slots=True)
class Issue:
    level: str  # WARNING or ERROR
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class Period:
    """A date as precise as it was written: "2020" spans the whole year."""

    start: date
    end: date


def terms_hint(values: Iterable[str]) -> str:
    """The first few allowed terms and how many there are, to hint without flooding the message."""
    values = list(values)
    shown = ", ".join(f'"{term}"' for term in values[:SHOWN_TERMS])
    return f"{shown}, … ({len(values)} accepted)" if len(values) > SHOWN_TERMS else shown


@lru_cache(maxsize=65536)
def parse_date(value: str) -> Period | None:
    """The period `value` denotes (YYYY-MM-DD, YYYY-MM or YYYY), or None when it is not such a date."""
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            start = end = date(year, month, day)
        elif month is not None:
            start = date(year, month, 1)
            end = date(year, month, calendar.monthrange(year, month)[1])
        else:
            start, end = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return Period(start, end)


def date_format(value: str) -> str:
    """The IMAGE date format `value` is written in, by its length (the units a date entry carries)."""
    return DATE_FORMATS.get(len(value), "YYYY-MM-DD")


def is_url(value: str) -> bool:
    return bool(_URL.match(value))


def is_doi(value: str) -> bool:
    prefix, slash, rest = value.partition("/")
    return bool(slash) and "/" not in rest and bool(rest) and bool(_DOI_PREFIX.match(prefix))


def missing(rule: Rule, group: str) -> Issue | None:
    """The issue of a field the record does not have (an empty field is left out, as IMAGE's documents do)."""
    if rule.required == "mandatory":
        return Issue(ERROR, rule.name, f"Mandatory field {rule.name} in {group} section could not be found")
    if rule.required == "recommended":
        return Issue(WARNING, rule.name, f"Recommended field {rule.name} in {group} section could not be found")
    return None


def check_entries(rule: Rule, group: str, entries: Sequence[Entry]) -> list[Issue]:
    """Cardinality, then units, valid values, terms and type of each entry, stopping at the first failure."""
    suffix = f" ({group} section)"
    name = rule.name
    if not entries:
        if rule.required == "mandatory":
            return [Issue(ERROR, name, f"Mandatory field {name} has empty value{suffix}")]
        required = rule.required.capitalize()
        return [Issue(WARNING, name, f"{required} field {name} has empty value, better remove the field{suffix}")]
    if rule.multiple == "no" and len(entries) > 1:
        message = f"Multiple values supplied for field {name} which does not allow multiple values{suffix}"
        return [Issue(ERROR, name, message)]
    if rule.multiple == "max 2" and len(entries) > 2:
        message = f"Maximum of 2 values allowed for field {name} but {len(entries)} values provided{suffix}"
        return [Issue(ERROR, name, message)]
    issues: list[Issue] = []
    for entry in entries:
        failed = _entry(rule, entry, issues)
        if failed:
            break
    return [Issue(issue.level, issue.column, issue.message + suffix) for issue in issues]


def _entry(rule: Rule, entry: Entry, issues: list[Issue]) -> bool:
    """Append the entry's issues; True when one was an Error, which ends the field's checks."""
    value, units, term_ids = entry
    name = rule.name
    if units and rule.valid_units and units not in rule.valid_units:
        listed = ", ".join(rule.valid_units)
        issues.append(Issue(ERROR, name, f"{units} for field {name} is not in the valid units list ({listed})"))
        return True
    if units and not rule.valid_units:
        issues.append(Issue(WARNING, name, f"No units required but {units} is used as unit for field {name}"))
    if not units and rule.valid_units:
        listed = ", ".join(rule.valid_units)
        issues.append(Issue(ERROR, name, f"One of {listed} need to be present for the field {name}"))
        return True
    if rule.valid_values and value not in rule.valid_values:
        if name == AVAILABILITY:
            if not (isinstance(value, str) and is_url(value)):
                message = f'<{value}> of field {name} is neither "{NO_LONGER_AVAILABLE}" nor a valid URI'
                issues.append(Issue(ERROR, name, message))
                return True
        else:
            listed = ", ".join(f"<{v}>" for v in rule.valid_values)
            issues.append(Issue(ERROR, name, f"<{value}> of field {name} is not in the valid values list ({listed})"))
            return True
    if term_ids and not rule.valid_terms:
        issues.append(
            Issue(WARNING, name, f"Ontology provided for field {name} however there is no requirement in the ruleset")
        )
    elif term_ids and _bad_terms(rule, term_ids, issues):
        return True
    return _type(rule, value, term_ids, issues)


def _bad_terms(rule: Rule, term_ids: tuple[str, ...], issues: list[Issue]) -> bool:
    table = ontology.allowed(rule)
    for term in term_ids:
        if term in table.ids:
            continue
        if table.complete or not any(term.startswith(ontology_name) for ontology_name, _ in table.roots):
            issues.append(Issue(ERROR, rule.name, f"Not valid ontology term {term} in field {rule.name}"))
            return True
        message = f"Ontology term {term} in field {rule.name} could not be checked offline"
        issues.append(Issue(WARNING, rule.name, message))
    return False


def _type(rule: Rule, value: Any, term_ids: tuple[str, ...], issues: list[Issue]) -> bool:
    name, kind = rule.name, rule.type
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return False
        message = f"For field {name} the provided value {value} is not represented as/of the expected type Number"
        if isinstance(value, str) and value.count(",") == 1 and _NUMBER.fullmatch(value.replace(",", ".")):
            message += f"; write it with a decimal point: {value.replace(',', '.')}"
        issues.append(Issue(ERROR, name, message))
        return True
    if not isinstance(value, str):
        issues.append(
            Issue(ERROR, name, f"For field {name} the provided value {value} is not of the expected type {kind}")
        )
        return True
    if kind == "ontology_id":
        return _ontology(rule, value, term_ids, issues)
    if kind == "uri":
        return _uri(name, value, issues)
    if kind == "doi":
        if not is_doi(value):
            issues.append(Issue(ERROR, name, f"Invalid DOI value supplied in the field {name}"))
            return True
        return False
    if kind == "date":
        return _date(rule, value, issues)
    return False


def _ontology(rule: Rule, value: str, term_ids: tuple[str, ...], issues: list[Issue]) -> bool:
    resolved = ontology.resolve(rule, value)
    if resolved.level:
        issues.append(Issue(resolved.level, rule.name, resolved.message))
        return resolved.level == ERROR
    if term_ids and resolved.term and resolved.term not in term_ids:
        iri = ", ".join(term_ids)
        issues.append(Issue(ERROR, rule.name, f"Provided value {value} does not match to the provided ontology {iri}"))
        return True
    return False


def _uri(name: str, value: str, issues: list[Issue]) -> bool:
    if "@" in value:
        lowered = value.lower()
        if "mailto:" in lowered and not lowered.startswith("mailto:"):
            issues.append(Issue(ERROR, name, f"mailto must be at position 1 in the field {name}"))
            return True
        if not lowered.startswith("mailto:") and _EMAIL.match(lowered):
            issues.append(Issue(ERROR, name, f'Email address must have prefix "mailto:" in the field {name}'))
            return True
        if _EMAIL.match(lowered):
            return False
    if not is_url(value):
        issues.append(Issue(ERROR, name, f"Invalid URI value {value} for field {name}"))
        return True
    return False


def _date(rule: Rule, value: str, issues: list[Issue]) -> bool:
    fmt = DATE_FORMATS.get(len(value))
    if fmt is None or fmt not in rule.valid_units:
        issues.append(
            Issue(ERROR, rule.name, f"Unrecognized date value {value}; write it as {' or '.join(rule.valid_units)}")
        )
        return True
    if parse_date(value) is None:
        issues.append(Issue(ERROR, rule.name, f"The date value {value} does not match to the format {fmt}"))
        return True
    return False
