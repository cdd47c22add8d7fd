"""The ruleset compiled, once per validation, into a loop over one record type's fields.

What is the same for every record (the submission's people and gene bank,
Material, fields the site has no column for) is judged once and its issues
shared by every record; a field's issues depend only on its value, so they
are cached per value. 100,000 records with a few hundred distinct storage
terms, species and dates then cost a dictionary lookup per field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from validation import attributes as attrs
from validation.checks import Issue, check_entries, missing
from validation.ruleset import Rule, Ruleset

# Per-record sources that are not a plain field of the record.
MAPPED_BREED = "mapped breed"
PARENTS = "parents"
ANIMAL_SPECIES = "animal species"
FIELD = "field"


@dataclass(slots=True)
class FieldPlan:
    group: str
    rule: Rule
    source: str  # FIELD, MAPPED_BREED, PARENTS or ANIMAL_SPECIES
    value_field: str = ""
    unit_field: str = ""
    fallback: tuple[str, ...] = ()  # the submission's values, for RECORD_OR_SUBMISSION attributes
    absent: tuple[Issue, ...] = ()
    free_text: bool = False  # any non-empty text passes: no need to check or cache it
    alt_field: str = ""  # read when value_field is empty (EFABIS Breed country: birth_country)
    default: str = ""  # the value when both are empty (accuracies: "missing geographic information")
    several: bool = False  # a cell that may hold several values separated by semicolons
    cache: dict[Any, tuple[Issue, ...]] = field(default_factory=dict)

    def issues(self, texts: Sequence[str], unit: str = "") -> tuple[Issue, ...]:
        """The issues of the field given as `texts` (empty: absent)."""
        if not texts:
            return self.absent
        if self.free_text:
            return ()
        key = (*texts, "\x00", unit)
        found = self.cache.get(key)
        if found is None:
            entries = [attrs.entry(self.rule, text, unit) for text in texts]
            found = self.cache[key] = tuple(check_entries(self.rule, self.group, entries))
        return found


@dataclass(frozen=True, slots=True)
class RecordPlan:
    record_type: str
    shared: tuple[Issue, ...]  # issues every record of this type has
    fields: tuple[FieldPlan, ...]


def compile_plan(ruleset: Ruleset, record_type: str, submission_values: Mapping[str, list[str]]) -> RecordPlan:
    shared: list[Issue] = []
    plans: list[FieldPlan] = []
    own = attrs.RECORD_FIELDS[record_type]
    for group in ruleset.groups_for(attrs.MATERIALS[record_type]):
        for rule in group.rules:
            absent = missing(rule, group.name)
            plan = FieldPlan(group.name, rule, FIELD, absent=(absent,) if absent else ())
            name = rule.name
            if name == "Material":
                shared += plan.issues([attrs.MATERIALS[record_type]])
                continue
            if name in own:
                plan.value_field, plan.unit_field = own[name]
                if name == "Alternative id" and submission_values.get("Data source type") == ["CRB-Anim"]:
                    # CRB-Anim has no alternative id: InjectTool uses the record's id (formats.md §2.3).
                    plan.value_field = "name"
                if name in attrs.RECORD_OR_SUBMISSION:
                    plan.fallback = tuple(submission_values.get(name, ()))
            elif name in attrs.SUBMISSION_ATTRIBUTES or name in attrs.RECORD_OR_SUBMISSION:
                shared += plan.issues(list(submission_values.get(name, ())))
                continue
            elif name == "Mapped breed" and record_type == attrs.ANIMAL:
                plan.source = MAPPED_BREED
            elif name == "Child of" and record_type == attrs.ANIMAL:
                plan.source = PARENTS
            elif name == "Species" and record_type == attrs.SAMPLE:
                plan.source = ANIMAL_SPECIES
            else:
                shared += plan.absent  # the site has no field for it: every record lacks it
                continue
            plan.free_text = rule.type == "text" and not rule.valid_values and plan.source == FIELD
            plan.alt_field, plan.default = attrs.FALLBACKS.get(plan.value_field, ("", ""))
            plan.several = name in attrs.RECORD_OR_SUBMISSION
            plans.append(plan)
    return RecordPlan(record_type, tuple(shared), tuple(plans))


def record_issues(plan: RecordPlan, record: Mapping[str, Any], animal_species: Mapping[str, str]) -> list[Issue]:
    """Every ruleset issue of one flat record, shared ones first.

    The hot loop of a validation (about 20 fields × 100,000 records): a plain
    field is one dictionary lookup in its value cache, and free text that is
    given costs nothing.
    """
    issues = list(plan.shared)
    for field_plan in plan.fields:
        source = field_plan.source
        if source == FIELD:
            value = record[field_plan.value_field] or (field_plan.alt_field and record[field_plan.alt_field])
            if not value:
                value = field_plan.default
                if not value:
                    issues += field_plan.issues(field_plan.fallback) if field_plan.fallback else field_plan.absent
                    continue
            if field_plan.free_text:
                continue
            unit = record[field_plan.unit_field] if field_plan.unit_field else ""
            key = (value, unit)
        elif source == MAPPED_BREED:
            value, key = "", record["species"]
        elif source == PARENTS:
            value, key = "", (record["father_name"], record["mother_name"])
        else:
            value, key = "", animal_species.get(record["animal_name"], "")
        found = field_plan.cache.get(key)
        if found is None:
            found = field_plan.cache[key] = _issues_of(field_plan, source, value, key)
        if found:
            issues += found
    return issues


def _issues_of(field_plan: FieldPlan, source: str, value: str, key: Any) -> tuple[Issue, ...]:
    """The issues of one value of a field, computed once per distinct value (then cached by the caller)."""
    if source == FIELD:
        texts = attrs.split_values(value) if field_plan.several else [value]
        return field_plan.issues(texts, key[1])
    if source == MAPPED_BREED:
        breed = attrs.mapped_breed(key)
        return field_plan.issues([breed] if breed else [])
    if source == PARENTS:
        return field_plan.issues([parent for parent in key if parent])
    return field_plan.issues([key] if key else [])
