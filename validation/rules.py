"""The validation rules: pure functions from one record to its issues.

Records come in as mappings of model field names to the text the submitter
supplied (as `QuerySet.values()` gives them). Each field is first checked
against the field table (`validation.fields`: presence by level, value by
kind); the rules here then judge what needs several fields or other records
(units, coordinates against accuracy, breed against species, parents, dates
across records, duplicates), using a `Context` built once. That keeps each
check O(1), so 100,000 records validate in seconds, and lets tests call the
rules without a database. Messages name the file's column and quote the
offending value, because the scientist fixes the spreadsheet, not our models.
"""

from __future__ import annotations

from collections.abc import Mapping

from validation import fields as f
from validation import terms
from validation import vocabularies as vocab
from validation.checks import (
    ERROR,
    HINTS,
    WARNING,
    Issue,
    Period,
    field_issues,
    one_of_issues,
    one_of_plan,
    parse_date,
    plan,
    terms_hint,
)
from validation.context import Context, build_context, species_key

__all__ = [
    "ERROR",
    "HINTS",
    "WARNING",
    "Context",
    "Issue",
    "Period",
    "build_context",
    "check_animal",
    "check_sample",
    "parse_date",
]

SHOWN = 6
_ANIMAL_PLAN = plan(f.ANIMAL)
_SAMPLE_PLAN = plan(f.SAMPLE)
_ANIMAL_ONE_OF = one_of_plan(f.ANIMAL)
_UNIT_HINT = HINTS[f.TIME_UNIT]


def check_animal(animal: Mapping[str, str], context: Context) -> list[Issue]:
    """Every issue of one animal; an empty list means it passes."""
    name, species, breed = animal["name"], animal["species"], animal["breed"]
    issues = field_issues(animal, _ANIMAL_PLAN, context.today)
    issues += one_of_issues(animal, _ANIMAL_ONE_OF)
    canonical = vocab.species_name(species)
    if canonical and breed and not vocab.is_known_breed(canonical, breed):
        issues.append(_breed_issue(breed, canonical))
    issues += _location_issues(animal)
    issues += _parent_issues(animal, "father_id", animal["father_name"], "male", context)
    issues += _parent_issues(animal, "mother_id", animal["mother_name"], "female", context)
    if animal["father_name"] and animal["father_name"] == animal["mother_name"] and animal["father_name"] != name:
        message = f'father_id and mother_id are both "{animal["father_name"]}"; an animal has two different parents.'
        issues.append(Issue(ERROR, "mother_id", message))
    loop = context.loops.get(name)
    if loop:
        others = ", ".join(f'"{other}"' for other in sorted(loop - {name})[:SHOWN])
        column = "father_id" if animal["father_name"] in loop else "mother_id"
        message = f'Animal "{name}" is its own ancestor: its parent links loop back to it through {others}.'
        issues.append(Issue(ERROR, column, f"{message} Correct father_id or mother_id."))
    if name in context.duplicate_of:
        message = (
            f'Possible duplicate of "{context.duplicate_of[name]}": both have alternative_id '
            f'"{animal["alternative_id"]}" and species "{species}".'
        )
        issues.append(Issue(WARNING, "alternative_id", message))
    if name in context.animals_elsewhere:
        message = (
            f"Possible duplicate of animal {context.animals_elsewhere[name]}: it has the same alternative_id "
            f'"{animal["alternative_id"]}" and species. Remove this animal if it is the same one.'
        )
        issues.append(Issue(WARNING, "alternative_id", message))
    return issues


def check_sample(sample: Mapping[str, str], context: Context) -> list[Issue]:
    """Every issue of one sample; an empty list means it passes."""
    issues = field_issues(sample, _SAMPLE_PLAN, context.today)
    for number, unit in f.UNITS[f.SAMPLE].items():
        if sample[number] and not sample[unit]:
            message = f"{unit} is empty; give the unit of {number}. {_UNIT_HINT}"
            issues.append(Issue(ERROR, unit, message))
        elif sample[unit] and not sample[number]:
            issues.append(Issue(WARNING, unit, f'{unit} is "{sample[unit]}" but {number} is empty; give both.'))
    issues += _location_issues(sample)
    animal = sample["animal_name"]
    if animal and animal not in context.sexes:
        if any(separator in animal for separator in ",;|"):
            message = f'animal_id "{animal}" names several animals; a sample comes from exactly one animal.'
        elif animal in context.sampled_elsewhere:
            message = (
                f'animal_id "{animal}" is an animal of {context.sampled_elsewhere[animal]}, not of this one. '
                "A sample is submitted together with its animal: add the animal to this submission, "
                "or move the sample to that one."
            )
        else:
            message = (
                f'animal_id "{animal}" is not an animal in this submission. Add the animal as a record of its own.'
            )
        issues.append(Issue(ERROR, "animal_id", message))
    collected = parse_date(sample["collection_date"]) if sample["collection_date"] else None
    written, born = context.birth_dates.get(animal, ("", None))
    # Only when certain: "2020" is not before "2020-05-01", it may be later that year.
    if collected is not None and born is not None and collected.end < born.start:
        message = (
            f'collection_date "{sample["collection_date"]}" is before the birth date of animal "{animal}" '
            f'("{written}"). Check both dates.'
        )
        issues.append(Issue(ERROR, "collection_date", message))
    name = sample["name"]
    if name in context.sample_duplicate_of:
        message = (
            f'Possible duplicate of "{context.sample_duplicate_of[name]}": both have alternative_id '
            f'"{sample["alternative_id"]}".'
        )
        issues.append(Issue(WARNING, "alternative_id", message))
    if name in context.samples_elsewhere:
        message = (
            f"Possible duplicate of sample {context.samples_elsewhere[name]}: it has the same alternative_id "
            f'"{sample["alternative_id"]}". Remove this sample if it is the same one.'
        )
        issues.append(Issue(WARNING, "alternative_id", message))
    return issues


def _breed_issue(breed: str, species: str) -> Issue:
    """An Error when the breed belongs to other species only, else a Warning: local breeds are legion."""
    others = vocab.breed_species(breed)
    if others:
        listed = ", ".join(sorted(others))
        message = f'breed "{breed}" is a breed of {listed}, not of {species}. Check species and breed.'
        return Issue(ERROR, "breed", message)
    known = terms_hint(vocab.BREEDS[species])
    message = f'breed "{breed}" is not a known breed of {species}; check the spelling (known: {known}).'
    return Issue(WARNING, "breed", message)


def _location_issues(record: Mapping[str, str]) -> list[Issue]:
    """Both coordinates or neither, and as many as the stated accuracy allows or needs."""
    latitude, longitude = record["latitude"], record["longitude"]
    if not latitude and not longitude and not record["accuracy"]:
        return []  # the common case, decided in one test
    issues = []
    if bool(latitude) != bool(longitude):
        given, missing = ("latitude", "longitude") if latitude else ("longitude", "latitude")
        issues.append(Issue(ERROR, missing, f"{missing} is empty but {given} is given; give both or neither."))
    accuracy = terms.accuracy(record["accuracy"]) if record["accuracy"] else None
    # Coordinates without an accuracy pass: the submission CSV has no accuracy column to fill.
    if accuracy == terms.MISSING_GEO and (latitude or longitude):
        message = (
            f'accuracy is "{terms.MISSING_GEO}" but coordinates are given. '
            "Remove latitude and longitude, or state how precise they are."
        )
        issues.append(Issue(ERROR, "accuracy", message))
    elif accuracy == terms.PRECISE and not (latitude and longitude):
        message = f'accuracy is "{terms.PRECISE}" but latitude and longitude are not both given. Give both.'
        issues.append(Issue(ERROR, "accuracy", message))
    return issues


def _parent_issues(animal: Mapping[str, str], column: str, parent: str, required_sex: str, context: Context) -> list:
    name = animal["name"]
    role = column.removesuffix("_id")
    if not parent:
        return []
    if parent == name:
        message = f'{column} "{parent}" is the animal itself; an animal cannot be its own {role}.'
    elif parent not in context.sexes:
        message = (
            f'{column} "{parent}" is not an animal in this submission. '
            f"Add the {role} as an animal record or leave {column} empty."
        )
    elif vocab.normalise(context.sexes[parent]) != required_sex:
        sex = context.sexes[parent]
        message = f'{column} "{parent}" refers to an animal whose sex is "{sex}"; a {role} must be {required_sex}.'
    elif animal["species"] and context.species[parent] and context.species[parent] != species_key(animal["species"]):
        message = (
            f'{column} "{parent}" is of species "{context.species[parent]}", not "{animal["species"]}"; '
            f"a {role} is of the same species as its offspring."
        )
    elif _born_after(parent, name, context):
        message = (
            f'{column} "{parent}" was born on "{context.birth_dates[parent][0]}", not before this animal '
            f'("{context.birth_dates[name][0]}"); a {role} is born before its offspring. Check both birth dates.'
        )
    else:
        return []
    return [Issue(ERROR, column, message)]


def _born_after(parent: str, child: str, context: Context) -> bool:
    """Whether the parent was certainly born no earlier than the child: "2020" is not after "2020-05-01"."""
    parent_birth = context.birth_dates.get(parent)
    child_birth = context.birth_dates.get(child)
    return parent_birth is not None and child_birth is not None and parent_birth[1].start >= child_birth[1].end
