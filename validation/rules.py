"""The validation rules: pure functions from one record to its issues.

Records come in as mappings of model field names to the text the submitter
supplied (as `QuerySet.values()` gives them), and facts that need the whole
submission (which animals exist, their sexes, parent loops) come from a
`Context` built once. That keeps each check O(1), so 100,000 records
validate in seconds, and lets tests call the rules without a database.
Messages name the file's column and quote the offending value, because the
scientist fixes the spreadsheet, not our models.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from uid.models import Record
from validation import vocabularies as vocab

WARNING = Record.WARNING
ERROR = Record.ERROR
SHOWN_TERMS = 6
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# Model field → file column of the values every record of a type must have.
ANIMAL_MANDATORY = {
    "name": "id",
    "species": "species",
    "sex": "sex",
    "breed": "breed",
    "birth_country": "birth_country",
}
SAMPLE_MANDATORY = {
    "name": "id",
    "animal_name": "animal_id",
    "collection_date": "collection_date",
    "organism_part": "organism_part",
}
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_SPACE = re.compile(r"\s")


def _terms(terms: Iterable[str]) -> str:
    """The first few allowed terms and how many there are, to hint without flooding the message."""
    terms = list(terms)
    shown = ", ".join(f'"{term}"' for term in terms[:SHOWN_TERMS])
    return f"{shown}, … ({len(terms)} accepted)" if len(terms) > SHOWN_TERMS else shown


# What to write instead of a value outside a controlled vocabulary.
HINTS = {
    "sex": f"Use one of: {_terms(vocab.SEXES)}.",
    "species": f"Use the Latin name, for example {_terms(vocab.SPECIES)}.",
    "birth_country": "Use a two-letter ISO 3166 code such as IT or an English name such as Italy.",
    "organism_part": f"Use a UBERON term such as {_terms(vocab.ORGANISM_PARTS)}.",
    # Storage terms are few and not guessable, so all of them are listed.
    "storage": "Use one of: " + ", ".join(f'"{term}"' for term in vocab.STORAGE) + ".",
}


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


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules need to know about the submission as a whole."""

    today: date
    sexes: dict[str, str] = field(default_factory=dict)  # animal id → sex as written
    birth_dates: dict[str, tuple[str, Period]] = field(default_factory=dict)  # as written, and parsed
    loops: dict[str, frozenset[str]] = field(default_factory=dict)  # animal id → the parent loop it is on
    duplicate_of: dict[str, str] = field(default_factory=dict)


def build_context(animals: Iterable[Mapping[str, str]], *, today: date) -> Context:
    """Collect the cross-record facts from the submission's animals, in file order."""
    sexes: dict[str, str] = {}
    birth_dates: dict[str, tuple[str, Period]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    duplicate_of: dict[str, str] = {}
    first_with: dict[tuple[str, str], str] = {}
    for animal in animals:
        name = animal["name"]
        sexes[name] = animal["sex"]
        parents[name] = tuple(p for p in (animal["father_name"], animal["mother_name"]) if p and p != name)
        period = parse_date(animal["birth_date"])
        if period is not None:
            birth_dates[name] = (animal["birth_date"], period)
        if animal["alternative_id"]:
            key = (vocab.normalise(animal["alternative_id"]), vocab.normalise(animal["species"]))
            first = first_with.setdefault(key, name)
            if first != name:
                duplicate_of[name] = first
    known = {name: tuple(p for p in links if p in parents) for name, links in parents.items()}
    return Context(today=today, sexes=sexes, birth_dates=birth_dates, loops=_loops(known), duplicate_of=duplicate_of)


def check_animal(animal: Mapping[str, str], context: Context) -> list[Issue]:
    """Every issue of one animal; an empty list means it passes."""
    name, species, breed = animal["name"], animal["species"], animal["breed"]
    issues = _mandatory(animal, ANIMAL_MANDATORY)
    if not animal["birth_date"]:
        issues.append(Issue(WARNING, "birth_date", "birth_date is empty; it is recommended for every animal."))
    issues += _term(animal, "sex", vocab.is_sex, HINTS["sex"])
    issues += _term(animal, "species", vocab.species_name, HINTS["species"])
    canonical = vocab.species_name(species)
    if canonical and breed and not vocab.is_known_breed(canonical, breed):
        known = _terms(vocab.BREEDS[canonical])
        message = f'breed "{breed}" is not a known breed of {canonical}; check the spelling (known: {known}).'
        issues.append(Issue(WARNING, "breed", message))
    issues += _term(animal, "birth_country", vocab.country_code, HINTS["birth_country"])
    issues += _date_issues(animal, "birth_date", context.today)
    issues += _coordinate_issues(animal)
    issues += _parent_issues(name, "father_id", animal["father_name"], "male", context)
    issues += _parent_issues(name, "mother_id", animal["mother_name"], "female", context)
    loop = context.loops.get(name)
    if loop:
        others = ", ".join(f'"{other}"' for other in sorted(loop - {name})[:SHOWN_TERMS])
        column = "father_id" if animal["father_name"] in loop else "mother_id"
        message = f'Animal "{name}" is its own ancestor: its parent links loop back to it through {others}.'
        issues.append(Issue(ERROR, column, f"{message} Correct father_id or mother_id."))
    if name in context.duplicate_of:
        message = (
            f'Possible duplicate of "{context.duplicate_of[name]}": both have alternative_id '
            f'"{animal["alternative_id"]}" and species "{species}".'
        )
        issues.append(Issue(WARNING, "alternative_id", message))
    return issues


def check_sample(sample: Mapping[str, str], context: Context) -> list[Issue]:
    """Every issue of one sample; an empty list means it passes."""
    issues = _mandatory(sample, SAMPLE_MANDATORY)
    for column, why in (("storage", "how the sample is kept"), ("protocol_url", "how it was collected")):
        if not sample[column]:
            issues.append(Issue(WARNING, column, f"{column} is empty; it is recommended, to tell {why}."))
    issues += _date_issues(sample, "collection_date", context.today)
    issues += _term(sample, "organism_part", vocab.is_organism_part, HINTS["organism_part"])
    issues += _term(sample, "storage", vocab.is_storage, HINTS["storage"])
    url = sample["protocol_url"]
    if url and not _is_web_url(url):
        message = f'protocol_url "{url}" is not a web address. Give a full link starting with http:// or https://.'
        issues.append(Issue(ERROR, "protocol_url", message))
    issues += _coordinate_issues(sample)
    animal = sample["animal_name"]
    if animal and animal not in context.sexes:
        message = f'animal_id "{animal}" is not an animal in this submission. Add the animal as a record of its own.'
        issues.append(Issue(ERROR, "animal_id", message))
    collected = parse_date(sample["collection_date"])
    written, born = context.birth_dates.get(animal, ("", None))
    # Only when certain: "2020" is not before "2020-05-01", it may be later that year.
    if collected is not None and born is not None and collected.end < born.start:
        message = (
            f'collection_date "{sample["collection_date"]}" is before the birth date of animal "{animal}" '
            f'("{written}"). Check both dates.'
        )
        issues.append(Issue(ERROR, "collection_date", message))
    return issues


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


def _mandatory(record: Mapping[str, str], columns: Mapping[str, str]) -> list[Issue]:
    return [
        Issue(ERROR, column, f"{column} is empty; it is mandatory.")
        for field_name, column in columns.items()
        if not record[field_name]
    ]


def _term(record: Mapping[str, str], column: str, known: Callable[[str], object], hint: str) -> list[Issue]:
    """An Error when the column holds a value outside its controlled vocabulary."""
    value = record[column]
    if not value or known(value):
        return []
    return [Issue(ERROR, column, f'{column} "{value}" is not an accepted term. {hint}')]


def _date_issues(record: Mapping[str, str], column: str, today: date) -> list[Issue]:
    value = record[column]
    if not value:
        return []
    period = parse_date(value)
    if period is None:
        return [Issue(ERROR, column, f'{column} "{value}" is not a date. Write it as YYYY-MM-DD, YYYY-MM or YYYY.')]
    if period.start > today:
        return [Issue(ERROR, column, f'{column} "{value}" is in the future.')]
    return []


def _coordinate_issues(record: Mapping[str, str]) -> list[Issue]:
    issues = []
    for column, limit in (("latitude", 90), ("longitude", 180)):
        value = record[column]
        if value and (not _DECIMAL.fullmatch(value) or not math.isfinite(float(value))):
            message = f'{column} "{value}" is not a number. Use decimal degrees with a point, for example 45.4642.'
            issues.append(Issue(ERROR, column, message))
        elif value and not -limit <= float(value) <= limit:
            message = f'{column} "{value}" is out of range: it must be between -{limit} and {limit}.'
            issues.append(Issue(ERROR, column, message))
    return issues


def _parent_issues(name: str, column: str, parent: str, required_sex: str, context: Context) -> list[Issue]:
    role = column.removesuffix("_id")
    if not parent:
        message = ""
    elif parent == name:
        message = f'{column} "{parent}" is the animal itself; an animal cannot be its own {role}.'
    elif parent not in context.sexes:
        message = (
            f'{column} "{parent}" is not an animal in this submission. '
            f"Add the {role} as an animal record or leave {column} empty."
        )
    elif vocab.normalise(context.sexes[parent]) != required_sex:
        sex = context.sexes[parent]
        message = f'{column} "{parent}" refers to an animal whose sex is "{sex}"; a {role} must be {required_sex}.'
    else:
        message = ""
    return [Issue(ERROR, column, message)] if message else []


def _is_web_url(value: str) -> bool:
    if _SPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def _loops(parents: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Animals that are their own ancestors, each mapped to the loop of animals it is on.

    Tarjan's strongly connected components, iterative so that a long chain
    of generations cannot hit Python's recursion limit; every component of
    more than one animal is a parent loop.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: dict[str, frozenset[str]] = {}
    for root in parents:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(parents[root]))]
        while work:
            node, links = work[-1]
            for parent in links:
                if parent not in index:
                    index[parent] = low[parent] = len(index)
                    stack.append(parent)
                    on_stack.add(parent)
                    work.append((parent, iter(parents[parent])))
                    break
                if parent in on_stack:
                    low[node] = min(low[node], index[parent])
            else:
                work.pop()
                if work:
                    child = work[-1][0]
                    low[child] = min(low[child], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        members = frozenset(component)
                        loops.update(dict.fromkeys(component, members))
    return loops
