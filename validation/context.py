"""Facts about the submission as a whole, gathered once before the per-record rules run.

Parents, sexes, birth dates, parent loops and duplicates all need other
records; collecting them in one pass into dictionaries lets every rule stay
O(1) per record, so 100,000 records validate in seconds instead of the
hours that a query or a scan per record would take.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from uid import vocabularies as vocab
from validation.attributes import ANIMAL, SAMPLE
from validation.checks import Period, parse_date
from validation.plans import RecordPlan, compile_plan
from validation.ruleset import Ruleset, current_ruleset


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules need to know about the submission as a whole."""

    today: date
    # The ruleset compiled for each record type, with the submission-level attributes judged once.
    plans: Mapping[str, RecordPlan] = field(default_factory=dict)
    species_written: dict[str, str] = field(default_factory=dict)  # animal id → species as written
    sexes: dict[str, str] = field(default_factory=dict)  # animal id → sex as written
    species: dict[str, str] = field(default_factory=dict)  # animal id → canonical (or normalised) species
    birth_dates: dict[str, tuple[str, Period]] = field(default_factory=dict)  # as written, and parsed
    loops: dict[str, frozenset[str]] = field(default_factory=dict)  # animal id → the parent loop it is on
    duplicate_of: dict[str, str] = field(default_factory=dict)  # animal id → earlier animal with its alternative_id
    sample_duplicate_of: dict[str, str] = field(default_factory=dict)  # the same for samples
    # Record id → where the owner already has a record with that alternative_id ('"COW9" in "Herd 2024"').
    animals_elsewhere: dict[str, str] = field(default_factory=dict)
    samples_elsewhere: dict[str, str] = field(default_factory=dict)
    # Animal id named by a sample, absent here → the owner's other submission that has it.
    sampled_elsewhere: Mapping[str, str] = field(default_factory=dict)


def species_key(value: str) -> str:
    """The species two records must share: the canonical name when known, else the normalised text."""
    return vocab.species_name(value) or vocab.normalise(value)


def build_context(
    animals: Iterable[Mapping[str, str]],
    *,
    today: date,
    samples: Iterable[Mapping[str, str]] = (),
    known_animals: Mapping[tuple[str, str], str] = {},  # read only, so a shared default is safe
    known_samples: Mapping[str, str] = {},  # read only, so a shared default is safe
    sampled_elsewhere: Mapping[str, str] = {},  # read only, so a shared default is safe
    submission_values: Mapping[str, list[str]] = {},  # read only, so a shared default is safe
    ruleset: Ruleset | None = None,
) -> Context:
    """Collect the cross-record facts from the submission's records, in file order.

    `known_animals` maps (normalised alternative_id, species key) and
    `known_samples` normalised alternative_id to a description of the
    owner's record in another submission, for the duplicate warnings.
    `submission_values` are the submission-level IMAGE attributes
    (`validation.attributes.submission_values`); `ruleset` defaults to the
    configured file.
    """
    ruleset = ruleset or current_ruleset()
    plans = {kind: compile_plan(ruleset, kind, submission_values) for kind in (ANIMAL, SAMPLE)}
    species_written: dict[str, str] = {}
    sexes: dict[str, str] = {}
    species: dict[str, str] = {}
    birth_dates: dict[str, tuple[str, Period]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    duplicate_of: dict[str, str] = {}
    animals_elsewhere: dict[str, str] = {}
    first_with: dict[tuple[str, str], str] = {}
    for animal in animals:
        name = animal["name"]
        sexes[name] = animal["sex"]
        species_written[name] = animal["species"]
        species[name] = kind = species_key(animal["species"])
        parents[name] = tuple(p for p in (animal["father_name"], animal["mother_name"]) if p and p != name)
        period = parse_date(animal["birth_date"])
        if period is not None:
            birth_dates[name] = (animal["birth_date"], period)
        if animal["alternative_id"]:
            key = (vocab.normalise(animal["alternative_id"]), kind)
            first = first_with.setdefault(key, name)
            if first != name:
                duplicate_of[name] = first
            if key in known_animals:
                animals_elsewhere[name] = known_animals[key]
    sample_duplicate_of: dict[str, str] = {}
    samples_elsewhere: dict[str, str] = {}
    first_sample: dict[str, str] = {}
    for sample in samples:
        if sample["alternative_id"]:
            name, key = sample["name"], vocab.normalise(sample["alternative_id"])
            first = first_sample.setdefault(key, name)
            if first != name:
                sample_duplicate_of[name] = first
            if key in known_samples:
                samples_elsewhere[name] = known_samples[key]
    known = {name: tuple(p for p in links if p in parents) for name, links in parents.items()}
    return Context(
        today=today,
        plans=plans,
        species_written=species_written,
        sexes=sexes,
        species=species,
        birth_dates=birth_dates,
        loops=_loops(known),
        duplicate_of=duplicate_of,
        sample_duplicate_of=sample_duplicate_of,
        animals_elsewhere=animals_elsewhere,
        samples_elsewhere=samples_elsewhere,
        sampled_elsewhere=sampled_elsewhere,
    )


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
