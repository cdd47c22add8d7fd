"""The validation rules: pure functions from one record to its issues.

Records come in as mappings of model field names to the text the submitter
supplied (as `QuerySet.values()` gives them). Each is first judged by the
IMAGE ruleset file (`validation.plans`, through the attribute mapping of
`validation.attributes`); the rules here then judge what needs other
records, as formats.md §4.5 lists them: parents and their sex and species,
the animal a sample derives from, collection after birth, place against
accuracy, species against breed, plus the conflicts the importer recorded.
A `Context` built once keeps each check O(1), so 100,000 records validate
in seconds. Issues name the IMAGE attribute as their column.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from uid import vocabularies as vocab
from validation.attributes import ANIMAL, MISSING_GEO, SAMPLE
from validation.checks import ERROR, WARNING, Issue, Period, parse_date, terms_hint
from validation.context import Context, build_context, species_key
from validation.plans import record_issues

__all__ = [
    "ERROR",
    "WARNING",
    "Context",
    "Issue",
    "Period",
    "build_context",
    "check_animal",
    "check_sample",
    "parse_date",
    "terms_hint",
]

SHOWN = 6
IMPORT = "import"
SEMEN = "UBERON_0001968"
UNKNOWN_SEX = "unknown sex"


def check_animal(animal: Mapping[str, Any], context: Context) -> list[Issue]:
    """Every issue of one animal; an empty list means it passes."""
    name = animal["name"]
    issues = record_issues(context.plans[ANIMAL], animal, context.species_written)
    issues += _conflicts(animal)
    issues += _place_issues(animal, "Birth location")
    issues += _breed_issues(animal["species"], animal["breed"])
    issues += _parent_issues(animal, context)
    loop = context.loops.get(name)
    if loop:
        others = ", ".join(sorted(loop - {name})[:SHOWN])
        message = f"Animal {name} is its own ancestor: its parent links loop back to it through {others}"
        issues.append(Issue(ERROR, "Child of", message))
    if name in context.duplicate_of:
        message = (
            f"Possible duplicate of {context.duplicate_of[name]}: both have Alternative id "
            f"{animal['alternative_id']} and Species {animal['species']}"
        )
        issues.append(Issue(WARNING, "Alternative id", message))
    if name in context.animals_elsewhere:
        message = (
            f"Possible duplicate of animal {context.animals_elsewhere[name]}: it has the same Alternative id "
            f"{animal['alternative_id']} and Species. Remove this animal if it is the same one"
        )
        issues.append(Issue(WARNING, "Alternative id", message))
    return issues


def check_sample(sample: Mapping[str, Any], context: Context) -> list[Issue]:
    """Every issue of one sample; an empty list means it passes."""
    issues = record_issues(context.plans[SAMPLE], sample, context.species_written)
    issues += _conflicts(sample)
    issues += _place_issues(sample, "Collection place")
    animal = sample["animal_name"]
    if animal and animal not in context.sexes:
        if any(separator in animal for separator in ",;|"):
            message = "Specimen can only derive from one animal"
        elif animal in context.sampled_elsewhere:
            message = (
                f"Could not locate the referenced record {animal}: it is an animal of "
                f"{context.sampled_elsewhere[animal]}, not of this one. Add the animal to this submission, "
                "or move the sample to that one"
            )
        else:
            message = f"Could not locate the referenced record {animal}"
        issues.append(Issue(ERROR, "Derived from", message))
    elif animal:
        issues += _semen_issues(sample, context.sexes[animal])
    collected = parse_date(sample["collection_date"]) if sample["collection_date"] else None
    written, born = context.birth_dates.get(animal, ("", None))
    # Only when certain: "2020" is not before "2020-05-01", it may be later that year.
    if collected is not None and born is not None and collected.end < born.start:
        message = (
            f"Collection date {sample['collection_date']} is before the Birth date of animal {animal} "
            f"({written}). Check both dates"
        )
        issues.append(Issue(ERROR, "Collection date", message))
    name = sample["name"]
    if name in context.sample_duplicate_of:
        message = (
            f"Possible duplicate of {context.sample_duplicate_of[name]}: both have Alternative id "
            f"{sample['alternative_id']}"
        )
        issues.append(Issue(WARNING, "Alternative id", message))
    if name in context.samples_elsewhere:
        message = (
            f"Possible duplicate of sample {context.samples_elsewhere[name]}: it has the same Alternative id "
            f"{sample['alternative_id']}. Remove this sample if it is the same one"
        )
        issues.append(Issue(WARNING, "Alternative id", message))
    return issues


@lru_cache(maxsize=4096)
def _breed_issues(species: str, breed: str) -> tuple[Issue, ...]:
    """Species against breed: a breed listed only for other species is an Error (cached: few distinct pairs)."""
    canonical = vocab.species_name(species)
    if not (canonical and breed) or vocab.is_known_breed(canonical, breed):
        return ()
    others = vocab.breed_species(breed)
    if not others:
        return ()
    listed = ", ".join(sorted(others))
    message = f"Supplied breed {breed} is a breed of {listed}, not of {canonical}. Check Species and breed."
    return (Issue(ERROR, "Supplied breed", message),)


def _conflicts(record: Mapping[str, Any]) -> list[Issue]:
    """The importer's conflicts (a CRB-Anim animal described differently on two rows), each an Error."""
    conflicts = record.get("import_conflicts") or ()
    if not isinstance(conflicts, list):
        return []
    return [Issue(ERROR, IMPORT, str(conflict)) for conflict in conflicts if conflict]


def _place_issues(record: Mapping[str, Any], place: str) -> list[Issue]:
    """The place text against its accuracy (§4.5), and coordinates in pairs and against a stated accuracy."""
    text, latitude, longitude, written = (
        record["birth_location" if place == "Birth location" else "collection_place"],
        record["latitude"],
        record["longitude"],
        record["accuracy"],
    )
    if not (text or latitude or longitude or written):
        return []  # the common case, decided in one test
    accuracy = written or MISSING_GEO
    column = f"{place} accuracy"
    issues = []
    if not text and accuracy != MISSING_GEO and not (latitude or longitude):
        message = f"No value provided for field {place} but value in field {place} accuracy is not {MISSING_GEO}"
        issues.append(Issue(ERROR, column, message))
    elif text and accuracy == MISSING_GEO:
        message = f"Value {text} provided for field {place} but value in field {place} accuracy is {MISSING_GEO}"
        issues.append(Issue(ERROR, column, message))
    if bool(latitude) != bool(longitude):
        given, absent = ("latitude", "longitude") if latitude else ("longitude", "latitude")
        message = f"{place} {given} is given but {place} {absent} is not; give both or neither"
        issues.append(Issue(ERROR, f"{place} {absent}", message))
    # IMAGE judges the place text only; coordinates under an explicit "missing" are as contradictory.
    if written == MISSING_GEO and (latitude or longitude):
        message = f"{place} coordinates are given but {place} accuracy is {MISSING_GEO}"
        issues.append(Issue(ERROR, column, message))
    return issues


def _parent_issues(animal: Mapping[str, Any], context: Context) -> list[Issue]:
    name = animal["name"]
    parents = [
        (role, parent)
        for role, parent in (("father", animal["father_name"]), ("mother", animal["mother_name"]))
        if parent
    ]
    issues = []
    for role, parent in parents:
        if parent == name:
            issues.append(Issue(ERROR, "Child of", f"Animal {name} cannot be its own {role}"))
        elif parent not in context.sexes:
            issues.append(Issue(ERROR, "Child of", f"Could not locate the referenced record {parent}"))
        else:
            own, theirs = animal["species"], context.species_written[parent]
            if own and theirs and species_key(own) != species_key(theirs):
                message = f"The Species of child ({own}) does not match to the Species of parent ({theirs})"
                issues.append(Issue(ERROR, "Child of", message))
            if _born_after(parent, name, context):
                message = (
                    f"Parent {parent} was born on {context.birth_dates[parent][0]}, not before this animal "
                    f"({context.birth_dates[name][0]}). Check both Birth dates"
                )
                issues.append(Issue(ERROR, "Birth date", message))
    known = [parent for _, parent in parents if parent in context.sexes and parent != name]
    if len(known) == 2:
        if known[0] == known[1]:
            issues.append(Issue(ERROR, "Child of", f"Father and mother are both {known[0]}; two parents differ"))
        else:
            sexes = [context.sexes[parent] for parent in known]
            if any(UNKNOWN_SEX in sex for sex in sexes):
                message = "At least one parent has unknown value for sex, thus could not be checked"
                issues.append(Issue(WARNING, "Child of", message))
            elif sexes[0] == sexes[1]:
                issues.append(Issue(ERROR, "Child of", "Two parents could not have same sex"))
    return issues


def _semen_issues(sample: Mapping[str, Any], sex: str) -> list[Issue]:
    if not _is_semen(sample["organism_part"]):
        return []
    if sex == "female":
        return [Issue(ERROR, "Organism part", "Organism part (Semen) could not be taken from a female animal")]
    if UNKNOWN_SEX in sex:
        message = (
            "Organism part (Semen) is expected to be taken from a male animal, please check the sex value "
            f"({sex}) is correct"
        )
        return [Issue(WARNING, "Organism part", message)]
    return []


@lru_cache(maxsize=4096)
def _is_semen(organism_part: str) -> bool:
    """Whether the organism part is semen (cached: few distinct parts, one lookup per sample)."""
    return vocab.organism_part_term(organism_part) == SEMEN


def _born_after(parent: str, child: str, context: Context) -> bool:
    """Whether the parent was certainly born no earlier than the child: "2020" is not after "2020-05-01"."""
    parent_birth: tuple[str, Period] | None = context.birth_dates.get(parent)
    child_birth = context.birth_dates.get(child)
    return parent_birth is not None and child_birth is not None and parent_birth[1].start >= child_birth[1].end
