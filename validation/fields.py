"""Which fields each record type has and what the ruleset requires of them, for the edit form and the report.

The rules themselves are the ruleset file's (`validation.ruleset`); this is
the same information laid out per model field: the IMAGE attribute a field
feeds (`validation.attributes`), its Required level and Type. It is
computed from the configured ruleset when asked, so a new ruleset file
changes the edit form and the report's table too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from validation import attributes as attrs
from validation import ontology
from validation.ruleset import Rule, current_ruleset

ANIMAL = attrs.ANIMAL
SAMPLE = attrs.SAMPLE

MANDATORY = "mandatory"
RECOMMENDED = "recommended"
OPTIONAL = "optional"
# Kept for code that lists levels; the IMAGE ruleset has no "one of" level.
ONE_OF = "mandatory, one of"
SHOWN_VALUES = 6


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # model field
    column: str  # the IMAGE attribute it feeds; messages name this
    level: str  # MANDATORY, RECOMMENDED or OPTIONAL
    kind: str  # the ruleset's Type
    help: str = ""


# Model fields that feed no attribute of their own, with what they hold.
_EXTRA: dict[str, tuple[tuple[str, str, str], ...]] = {
    ANIMAL: (
        ("birth_country", "Birth country", "Used as EFABIS Breed country when that is empty."),
        ("father_name", "Child of (father)", "Data source ID of the father, an animal of this submission."),
        ("mother_name", "Child of (mother)", "Data source ID of the mother, an animal of this submission."),
    ),
    SAMPLE: (("sample_type", "Sample type", "Kept with the record; not in the IMAGE ruleset."),),
}
# Ids tie records together (samples to animals, animals to parents), so they
# are changed by uploading the file again, never on the edit page.
READ_ONLY = frozenset({"name"})


def fields_of(record_type: str) -> tuple[Field, ...]:
    """The editable and validated model fields of `record_type`, in the ruleset's order."""
    rules: dict[str, Rule] = {}
    for group in current_ruleset().groups_for(attrs.MATERIALS[record_type]):
        for rule in group.rules:
            rules.setdefault(rule.name, rule)
    fields = []
    for attribute, (value_field, unit_field) in attrs.RECORD_FIELDS[record_type].items():
        rule = rules.get(attribute)
        if rule is None:
            fields.append(Field(value_field, attribute, OPTIONAL, "text", "Not in the current ruleset."))
            continue
        fields.append(Field(value_field, attribute, rule.required, rule.type, _help(rule)))
        if unit_field:
            fields.append(
                Field(
                    unit_field,
                    f"{attribute} units",
                    rule.required,
                    "unit",
                    "One of: " + ", ".join(rule.valid_units) + ".",
                )
            )
    fields += [Field(name, column, OPTIONAL, "text", note) for name, column, note in _EXTRA[record_type]]
    return tuple(fields)


def _help(rule: Rule) -> str:
    if rule.valid_values:
        shown = "; ".join(rule.valid_values[:SHOWN_VALUES])  # values may hold commas
        more = f", … ({len(rule.valid_values)} values)" if len(rule.valid_values) > SHOWN_VALUES else ""
        return f"One of: {shown}{more}."
    if rule.type == "date":
        return f"{', '.join(rule.valid_units)}."
    if rule.type == "number" and rule.valid_units:
        return f"A number; units {', '.join(rule.valid_units[:SHOWN_VALUES])}."
    if rule.type == "ontology_id":
        roots = [term.term for term in rule.valid_terms if term.allow_descendants]
        if roots:
            return f"A term under {', '.join(roots)}."
        labels = list(ontology.allowed(rule).labels)
        shown = ", ".join(labels[:SHOWN_VALUES])
        return f"One of: {shown}{', …' if len(labels) > SHOWN_VALUES else ''}."
    return ""


class _Fields(Mapping[str, tuple[Field, ...]]):
    """`FIELDS[record_type]`, computed from the configured ruleset on each access."""

    def __getitem__(self, record_type: str) -> tuple[Field, ...]:
        if record_type not in (ANIMAL, SAMPLE):
            raise KeyError(record_type)
        return fields_of(record_type)

    def __iter__(self) -> Iterator[str]:
        return iter((ANIMAL, SAMPLE))

    def __len__(self) -> int:
        return 2


FIELDS: Mapping[str, tuple[Field, ...]] = _Fields()


def markdown_table(record_type: str) -> str:
    """The field table of `record_type` as Markdown, as the README shows it (a test keeps the two equal)."""
    lines = ["| Attribute | Field | Required | Type | Notes |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {f.column} | `{f.name}` | {f.level} | {f.kind} | {f.help} |" for f in FIELDS[record_type]]
    return "\n".join(lines)
