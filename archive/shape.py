"""What BioSamples refuses in a sample document, checked before it is stored.

Both archives that live in this project use it: the embedded one (the
default, no network) and the loopback BioSamples double the tests run, so a
document the real service would answer 400 to fails here too. The rules are
BioSamples' documented submission fields: `name` and `release` required, an
`accession` only on PUT (and the one in the path), characteristics as lists
of `{"text", "ontologyTerms", "unit"}`, an `organism` (its basic checklist),
and relationships `{source, type, target}` between existing samples.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

VALUE_KEYS = frozenset({"text", "ontologyTerms", "unit", "tag"})
RELATIONSHIP_KEYS = frozenset({"source", "type", "target"})
RELATIONSHIP_TYPES = frozenset({"child of", "derived from", "same as", "has member", "recurated from"})
IRI_SCHEMES = ("http://", "https://")


def document_problems(document: Any, *, accession: str | None, exists: Callable[[str], bool]) -> list[dict[str, Any]]:
    """BioSamples' validation errors for `document`: [{"dataPath", "errors": [...]}], empty when it is fine.

    `accession` is None for a POST (create) and the path's accession for a PUT.
    `exists` says whether an accession names a sample the archive holds.
    """
    if not isinstance(document, dict):
        return [_problem("", "the sample must be a JSON object")]
    problems = []
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(_problem(".name", "should have required property 'name'"))
    if not _is_instant(document.get("release")):
        problems.append(_problem(".release", "should have required property 'release' as an ISO 8601 date-time"))
    if accession is None and document.get("accession"):
        problems.append(_problem(".accession", "New sample submission should not contain an accession"))
    if accession is not None and document.get("accession") != accession:
        problems.append(_problem(".accession", f"should be {accession}, the accession in the path"))
    if "taxId" in document and not (isinstance(document["taxId"], int) and not isinstance(document["taxId"], bool)):
        problems.append(_problem(".taxId", "should be integer"))
    problems += _characteristics_problems(document.get("characteristics"))
    own = {accession} if accession else {name}
    problems += _relationship_problems(document.get("relationships", []), own=own, exists=exists)
    return problems


def _characteristics_problems(characteristics: Any) -> list[dict[str, Any]]:
    if not isinstance(characteristics, dict):
        return [_problem(".characteristics", "should be object")]
    problems = []
    if not any(key.casefold() == "organism" for key in characteristics):
        problems.append(_problem(".characteristics", "should have required property 'organism'"))
    for key, values in characteristics.items():
        path = f".characteristics['{key}']"
        if not isinstance(values, list) or not values:
            problems.append(_problem(path, "should be a non-empty array"))
            continue
        for index, entry in enumerate(values):
            problems += _value_problems(entry, f"{path}[{index}]")
    return problems


def _value_problems(entry: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(entry, dict):
        return [_problem(path, "should be object")]
    problems = []
    unknown = sorted(set(entry) - VALUE_KEYS)
    if unknown:
        problems.append(_problem(path, f"should NOT have additional properties {unknown}"))
    if not isinstance(entry.get("text"), str) or not entry["text"].strip():
        problems.append(_problem(f"{path}.text", "should be a non-empty string"))
    terms = entry.get("ontologyTerms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.startswith(IRI_SCHEMES) for t in terms):
        problems.append(_problem(f"{path}.ontologyTerms", "should be an array of IRIs"))
    if "unit" in entry and (not isinstance(entry["unit"], str) or not entry["unit"].strip()):
        problems.append(_problem(f"{path}.unit", "should be a non-empty string"))
    return problems


def _relationship_problems(relationships: Any, *, own: set[Any], exists: Callable[[str], bool]) -> list[dict]:
    if not isinstance(relationships, list):
        return [_problem(".relationships", "should be array")]
    problems = []
    for index, relation in enumerate(relationships):
        path = f".relationships[{index}]"
        if not isinstance(relation, dict) or set(relation) != RELATIONSHIP_KEYS:
            problems.append(_problem(path, "should have exactly the properties source, type and target"))
            continue
        if relation["type"] not in RELATIONSHIP_TYPES:
            problems.append(_problem(f"{path}.type", f"unknown relationship type {relation['type']!r}"))
        if relation["source"] not in own:
            problems.append(_problem(f"{path}.source", "should be this sample"))
        target = relation["target"]
        if not isinstance(target, str) or not exists(target):
            problems.append(_problem(f"{path}.target", f"{target!r} is not the accession of an existing sample"))
    return problems


def _is_instant(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def _problem(path: str, message: str) -> dict[str, Any]:
    return {"dataPath": path, "errors": [message]}
