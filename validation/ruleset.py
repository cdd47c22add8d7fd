"""IMAGE's ruleset file, read as data: the single source of the per-field rules.

The file is IMAGE's `sample_ruleset_v3a0ee76.json` (formats.md §4.1),
shipped in `validation/data/`. A new IMAGE version is a new file: point
`VALIDATION_RULESET_PATH` at it and validation follows, with no code change.
The file is checked on load as IMAGE's own tool checks it (a rule without
Name, Type, Required or Allow Multiple, a name twice in a group, valid
values or units where the type forbids them), because a broken ruleset
must stop validation loudly rather than pass every record.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "IMAGE_sample_ruleset.json"
TYPES = frozenset({"text", "limited value", "ontology_id", "number", "date", "uri", "doi"})
REQUIRED = ("mandatory", "recommended", "optional")
MULTIPLE = frozenset({"yes", "no", "max 2"})
MATERIAL = "Material"


class RulesetError(Exception):
    """The ruleset file cannot be used; the message says which rule and why."""


@dataclass(frozen=True, slots=True)
class ValidTerm:
    ontology: str
    term: str  # short id, e.g. "UBERON_0001062"
    label: str
    allow_descendants: bool
    include_root: bool
    leaf_only: bool


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    type: str
    required: str
    multiple: str
    valid_values: tuple[str, ...] = ()
    valid_units: tuple[str, ...] = ()
    valid_terms: tuple[ValidTerm, ...] = ()
    description: str = ""
    example: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    condition: tuple[tuple[str, str], ...]  # (attribute, value) pairs that must all hold
    rules: tuple[Rule, ...]

    def applies(self, values: dict[str, tuple[str, ...]]) -> bool:
        """Whether, for every listed attribute, some entry has exactly that value."""
        return all(value in values.get(attribute, ()) for attribute, value in self.condition)


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    groups: tuple[Group, ...]

    def groups_for(self, material: str) -> tuple[Group, ...]:
        """The groups a record of this Material falls under: unconditional ones and those it matches."""
        values = {MATERIAL: (material,)}
        return tuple(group for group in self.groups if group.applies(values))


_cache: dict[tuple[str, int], Ruleset] = {}


def ruleset_path() -> Path:
    return Path(getattr(settings, "VALIDATION_RULESET_PATH", "") or DEFAULT_PATH)


def current_ruleset() -> Ruleset:
    """The ruleset at `VALIDATION_RULESET_PATH`, re-read when the file changes (keyed by path and mtime)."""
    path = ruleset_path()
    try:
        key = (str(path), os.stat(path).st_mtime_ns)
    except OSError as error:
        raise RulesetError(f"The validation ruleset {path} cannot be read: {error.strerror}.") from error
    ruleset = _cache.get(key)
    if ruleset is None:
        ruleset = load_ruleset(path)
        _cache.clear()
        _cache[key] = ruleset
    return ruleset


def load_ruleset(path: Path | str) -> Ruleset:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RulesetError(f"The validation ruleset {path} is not readable JSON: {error}") from error
    return parse_ruleset(data)


def parse_ruleset(data: Any) -> Ruleset:
    """A Ruleset from the file's JSON, or RulesetError naming the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("rule_groups"), list):
        raise RulesetError("The validation ruleset has no list of rule_groups.")
    groups = []
    for raw in data["rule_groups"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise RulesetError("A rule group of the validation ruleset has no name.")
        match = (raw.get("condition") or {}).get("attribute_value_match") or {}
        rules = tuple(_rule(raw["name"], item) for item in raw.get("rules") or ())
        names = [rule.name for rule in rules]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise RulesetError(f"Rule {twice[0]} appears twice in group {raw['name']} of the validation ruleset.")
        groups.append(Group(raw["name"], tuple((str(k), str(v)) for k, v in match.items()), rules))
    return Ruleset(str(data.get("name", "")), tuple(groups))


def _rule(group: str, raw: Any) -> Rule:
    where = f"in group {group} of the validation ruleset"
    if not isinstance(raw, dict):
        raise RulesetError(f"A rule {where} is not an object.")
    missing = [key for key in ("Name", "Type", "Required", "Allow Multiple") if key not in raw]
    if missing:
        raise RulesetError(f"Rule {raw.get('Name', '?')} {where} lacks {', '.join(missing)}.")
    name, kind, required, multiple = (str(raw[k]) for k in ("Name", "Type", "Required", "Allow Multiple"))
    if kind not in TYPES or required not in REQUIRED or multiple not in MULTIPLE:
        raise RulesetError(f"Rule {name} {where} has an unknown Type, Required or Allow Multiple.")
    values = tuple(str(v) for v in raw.get("Valid values") or ())
    units = tuple(str(u) for u in raw.get("Valid units") or ())
    terms = tuple(
        ValidTerm(
            ontology=str(term.get("ontology_name", "")),
            term=str(term["term"]),
            label=str(term.get("label", "")),
            allow_descendants=bool(term.get("allow_descendants")),
            include_root=bool(term.get("include_root")),
            leaf_only=bool(term.get("leaf_only")),
        )
        for term in raw.get("Valid terms") or ()
    )
    if kind in {"text", "ontology_id"} and values:
        raise RulesetError(f"Rule {name} {where} is of type {kind} but has Valid values.")
    if kind == "limited value" and not values:
        raise RulesetError(f"Rule {name} {where} is a limited value without Valid values.")
    if (kind in {"number", "date"}) != bool(units):
        raise RulesetError(f"Rule {name} {where}: only number and date rules have, and need, Valid units.")
    if kind == "ontology_id" and not terms:
        raise RulesetError(f"Rule {name} {where} is an ontology_id without Valid terms.")
    return Rule(
        name,
        kind,
        required,
        multiple,
        values,
        units,
        terms,
        str(raw.get("Description", "")),
        str(raw.get("Example", "")),
    )
