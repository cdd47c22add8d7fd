"""Checks of one value against the kind of value its field holds.

Each check takes the file's column name, the value as written and today's
date, and returns the Issue to report or None. They quote the value and say
what to write instead, because the scientist fixes the spreadsheet by
reading the message, and they run once per field of 100,000 records, so
they do nothing but a dictionary lookup or a regular expression.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from uid.models import Record
from validation import fields as f
from validation import terms
from validation import vocabularies as vocab

WARNING = Record.WARNING
ERROR = Record.ERROR
SHOWN_TERMS = 6
# ASCII digits only: \d would also take Arabic-Indic or full-width digits, which the archive does not.
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SPACE = re.compile(r"\s")
# A DOI as the DOI Handbook defines it ("10." registrant "/" suffix), bare or as doi: or a doi.org link.
_DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+", re.IGNORECASE)
_REFERENCE_SEPARATORS = re.compile(r"[;|\n]")


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


Check = Callable[[str, str, date], "Issue | None"]


def terms_hint(values: Iterable[str]) -> str:
    """The first few allowed terms and how many there are, to hint without flooding the message."""
    values = list(values)
    shown = ", ".join(f'"{term}"' for term in values[:SHOWN_TERMS])
    return f"{shown}, … ({len(values)} accepted)" if len(values) > SHOWN_TERMS else shown


def all_terms(values: Iterable[str]) -> str:
    """Every term, for short lists that cannot be guessed."""
    return ", ".join(f'"{term}"' for term in values)


# What to write instead of a value outside a controlled vocabulary.
HINTS = {
    f.SEX: f"Use one of: {terms_hint(vocab.SEXES)}.",
    f.SPECIES: f"Use the Latin name, for example {terms_hint(vocab.SPECIES)}.",
    f.COUNTRY: "Use a two-letter ISO 3166 code such as IT or an English name such as Italy.",
    f.ORGANISM_PART: f"Use a UBERON term such as {terms_hint(vocab.ORGANISM_PARTS)}.",
    f.STORAGE: f"Use one of: {all_terms(vocab.STORAGE)}.",
    f.STORAGE_PROCESSING: f"Use one of: {all_terms(terms.STORAGE_PROCESSING)}.",
    f.ACCURACY: f"Use one of: {all_terms(terms.ACCURACY)}.",
    f.DEVELOPMENTAL_STAGE: f"Use a UBERON or EFO stage such as {terms_hint(terms.DEVELOPMENTAL_STAGES)}.",
    f.PHYSIOLOGICAL_STAGE: f"Use one of: {all_terms(terms.PHYSIOLOGICAL_STAGES)}.",
    f.TIME_UNIT: f"Use one of: {all_terms(terms.TIME_UNITS)}.",
}


@lru_cache(maxsize=65536)
def parse_date(value: str) -> Period | None:
    """The period `value` denotes (YYYY-MM-DD, YYYY-MM or YYYY), or None when it is not such a date.

    Cached because every date is read by a field check and again by the
    cross-record rules, and real files repeat the same few collection dates.
    """
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            day = date.fromisoformat(value)  # the C parser, for the common full date
        except ValueError:
            return None
        return Period(day, day)
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


def is_web_url(value: str) -> bool:
    if _SPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def is_doi(value: str) -> bool:
    return bool(_DOI.fullmatch(value))


def _is_doi_link(value: str) -> bool:
    """Whether `value` points at the DOI resolver; such a link must carry a well-formed DOI."""
    return value.lower().startswith(
        ("http://doi.org/", "https://doi.org/", "http://dx.doi.org/", "https://dx.doi.org/")
    )


def _term(kind: str, known: Callable[[str], object]) -> Check:
    hint = HINTS[kind]

    def check(column: str, value: str, today: date) -> Issue | None:
        if known(value):
            return None
        return Issue(ERROR, column, f'{column} "{value}" is not an accepted term. {hint}')

    return check


def _date(column: str, value: str, today: date) -> Issue | None:
    period = parse_date(value)
    if period is None:
        return Issue(ERROR, column, f'{column} "{value}" is not a date. Write it as YYYY-MM-DD, YYYY-MM or YYYY.')
    if period.start > today:
        return Issue(ERROR, column, f'{column} "{value}" is in the future.')
    return None


def _decimal_comma(column: str, value: str, *, may_be_thousands: bool) -> Issue | None:
    """The Error for a number written with a decimal comma ("45,5"), saying exactly what to write instead.

    European spreadsheets and CSV exports write decimals this way; the
    archive reads only a point, and "45,5" must not be taken for 455.
    """
    fixed = value.replace(",", ".", 1)
    if value.count(",") != 1 or not _DECIMAL.fullmatch(fixed):
        return None
    if may_be_thousands and len(value) - value.index(",") - 1 == 3:  # "1,000" days, or 1.0?
        message = f'{column} "{value}" has a comma. Write {fixed} if it is a decimal, or {value.replace(",", "")}.'
        return Issue(ERROR, column, message)
    return Issue(ERROR, column, f'{column} "{value}" has a decimal comma. Write it with a point: {fixed}.')


def _degrees(limit: int) -> Check:
    def check(column: str, value: str, today: date) -> Issue | None:
        if not _DECIMAL.fullmatch(value) or not math.isfinite(float(value)):
            comma = _decimal_comma(column, value, may_be_thousands=False)  # degrees never reach 1,000
            if comma is not None:
                return comma
            message = f'{column} "{value}" is not a number. Use decimal degrees with a point, for example 45.4642.'
            return Issue(ERROR, column, message)
        if not -limit <= float(value) <= limit:
            return Issue(ERROR, column, f'{column} "{value}" is out of range: it must be between -{limit} and {limit}.')
        return None

    return check


def _number(column: str, value: str, today: date) -> Issue | None:
    if not _DECIMAL.fullmatch(value):
        comma = _decimal_comma(column, value, may_be_thousands=True)
        if comma is not None:
            return comma
        return Issue(ERROR, column, f'{column} "{value}" is not a number. Write digits with a point, for example 2.5.')
    if float(value) < 0:
        return Issue(ERROR, column, f'{column} "{value}" is negative; an age or interval cannot be.')
    return None


def _web_url(column: str, value: str, today: date) -> Issue | None:
    if is_web_url(value):
        return None
    message = f'{column} "{value}" is not a web address. Give a full link starting with http:// or https://.'
    return Issue(ERROR, column, message)


def _references(column: str, value: str, today: date) -> Issue | None:
    """Every reference a DOI or a link; all the wrong ones are named at once, so one edit fixes the cell."""
    wrong = [
        reference
        for reference in (part.strip() for part in _REFERENCE_SEPARATORS.split(value))
        if reference and not is_doi(reference) and (_is_doi_link(reference) or not is_web_url(reference))
    ]
    if not wrong:
        return None
    quoted = ", ".join(f'"{reference}"' for reference in wrong[:SHOWN_TERMS])
    what = "is neither a DOI nor a web address" if len(wrong) == 1 else "are neither DOIs nor web addresses"
    message = (
        f"{column} {quoted} {what}. Write DOIs such as 10.1000/xyz123, doi:10.1000/xyz123 or "
        "https://doi.org/10.1000/xyz123 (the number after 10. has 4 to 9 digits), separated by semicolons."
    )
    return Issue(ERROR, column, message)


def _availability(column: str, value: str, today: date) -> Issue | None:
    if terms.is_availability(value):
        return None
    message = (
        f'{column} "{value}" is neither an e-mail link nor a web address. '
        "Write mailto:name@example.org or a link starting with https://."
    )
    return Issue(ERROR, column, message)


# Kind → check of a non-empty value; kinds not listed (free text, breed) are not judged value by value.
CHECKS: dict[str, Check] = {
    f.DATE: _date,
    f.NUMBER: _number,
    f.LATITUDE: _degrees(90),
    f.LONGITUDE: _degrees(180),
    f.WEB_URL: _web_url,
    f.REFERENCES: _references,
    f.AVAILABILITY: _availability,
    f.SEX: _term(f.SEX, vocab.is_sex),
    f.SPECIES: _term(f.SPECIES, vocab.species_name),
    f.COUNTRY: _term(f.COUNTRY, vocab.country_code),
    f.ACCURACY: _term(f.ACCURACY, terms.accuracy),
    f.ORGANISM_PART: _term(f.ORGANISM_PART, vocab.is_organism_part),
    f.DEVELOPMENTAL_STAGE: _term(f.DEVELOPMENTAL_STAGE, terms.is_developmental_stage),
    f.PHYSIOLOGICAL_STAGE: _term(f.PHYSIOLOGICAL_STAGE, terms.is_physiological_stage),
    f.STORAGE: _term(f.STORAGE, vocab.is_storage),
    f.STORAGE_PROCESSING: _term(f.STORAGE_PROCESSING, terms.is_storage_processing),
    f.TIME_UNIT: _term(f.TIME_UNIT, terms.time_unit),
}


def field_issues(record: dict[str, str], plan: tuple[tuple[str, str, str, Check | None], ...], today: date) -> list:
    """Presence and value checks of every field in `plan` (name, column, level, check), in table order."""
    issues = []
    for name, column, level, check in plan:
        value = record[name]
        if not value:
            if level == f.MANDATORY:
                issues.append(Issue(ERROR, column, f"{column} is empty; it is mandatory."))
            elif level == f.RECOMMENDED:
                issues.append(Issue(WARNING, column, f"{column} is empty; it is recommended."))
        elif check is not None:
            issue = check(column, value, today)
            if issue is not None:
                issues.append(issue)
    return issues


def one_of_issues(record: dict[str, str], groups: tuple[tuple[tuple[str, ...], str, str], ...]) -> list[Issue]:
    """An Error for each group (field names, first column, message) of which no field is given."""
    return [Issue(ERROR, column, message) for names, column, message in groups if not any(record[n] for n in names)]


def one_of_plan(record_type: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """The ONE_OF groups of `record_type` with the column and message an empty group is reported with."""
    planned = []
    for names, hint in f.ONE_OF_GROUPS[record_type]:
        columns = [f.column_of(record_type, name) for name in names]
        quantifier = "both" if len(columns) == 2 else "all"
        message = f"{' and '.join(columns)} are {quantifier} empty; one of them is mandatory. {hint}"
        planned.append((names, columns[0], message))
    return tuple(planned)


def plan(record_type: str) -> tuple[tuple[str, str, str, Check | None], ...]:
    """The field table of `record_type` flattened for `field_issues`' loop."""
    return tuple((field.name, field.column, field.level, CHECKS.get(field.kind)) for field in f.FIELDS[record_type])
