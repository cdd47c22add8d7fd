"""The ontology_id rules, judged against the bundled term tables and, when configured, OLS.

A rule's Valid terms are either a fixed list (sex, countries, material:
the ruleset names every allowed term, so the bundle is complete and a value
outside it is wrong) or a root and its descendants (species, breeds, organism
parts, stages, roles: too many to bundle). For the latter a label missing
from the bundle is only a Warning that it could not be checked offline,
with the closest bundled labels as a hint; with `VALIDATION_OLS_URL` set,
such a label is looked up in OLS (timeout, cache) before giving up.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from functools import lru_cache

import httpx
from django.conf import settings

from uid import vocabularies as vocab
from validation import terms
from validation.ruleset import Rule, current_ruleset

logger = logging.getLogger(__name__)

# Root term of a "descendants of" condition → the bundled labels under it, label → short id.
TERM_TABLES: dict[str, dict[str, str]] = {
    "NCBITaxon_1": vocab.SPECIES,
    "UBERON_0001062": vocab.ORGANISM_PARTS,
    "EFO_0000399": terms.DEVELOPMENTAL_STAGES,
    "PATO_0000261": terms.PHYSIOLOGICAL_STAGES,
    "LBO_0000000": {label: term for label, term in (*vocab.GENERAL_BREEDS.values(), *vocab.CROSSBREEDS.values())},
    "EFO_0002012": vocab.ROLES,
}
# Labels of fixed terms the ruleset lists without one (sex) or with one (material, countries: taken from the file).
FIXED_LABELS: dict[str, str] = {
    **{term: label for label, term in vocab.SEX_TERMS.items()},
    "OBI_0100026": "organism",
    "OBI_0001479": "specimen from organism",
}
SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a label means under one rule: its term, or why it has none."""

    term: str | None  # short id when known
    level: str = ""  # "", "Warning" or "Error"
    message: str = ""


@dataclass(frozen=True, slots=True)
class _Allowed:
    labels: dict[str, str]  # label → short id
    folded: dict[str, str]  # casefolded label → label
    ids: frozenset[str]
    complete: bool  # a fixed list: a label outside it is wrong, not unknown
    roots: tuple[tuple[str, str], ...]  # (ontology, root id) of descendant conditions, for OLS


def allowed(rule: Rule) -> _Allowed:
    return _allowed(rule)


@lru_cache(maxsize=256)
def _allowed(rule: Rule) -> _Allowed:
    labels: dict[str, str] = {}
    roots = []
    for valid in rule.valid_terms:
        if valid.allow_descendants:
            roots.append((valid.ontology, valid.term))
            labels.update(
                (label, term)
                for label, term in TERM_TABLES.get(valid.term, {}).items()
                if valid.include_root or term != valid.term
            )
        else:
            labels[valid.label or FIXED_LABELS.get(valid.term, valid.term)] = valid.term
    return _Allowed(
        labels=labels,
        folded={label.casefold(): label for label in labels},
        ids=frozenset(labels.values()),
        complete=not roots,
        roots=tuple(roots),
    )


def resolve(rule: Rule, value: str) -> Resolved:
    """The term `value` names under `rule`, offline first, then OLS if configured."""
    table = allowed(rule)
    term = table.labels.get(value)
    if term is not None:
        return Resolved(term)
    label = table.folded.get(value.casefold())
    if label is not None:
        return Resolved(
            table.labels[label],
            "Warning",
            f"Provided value {value} has different letter case from the term {label} ({table.labels[label]})",
        )
    hint = did_you_mean(value, table.labels)
    if table.complete:
        listed = ", ".join(f"<{label}>" for label in table.labels)
        return Resolved(None, "Error", f"<{value}> of field {rule.name} is not one of the allowed terms ({listed})")
    found = _ols(table.roots, value) if ols_url() else None
    if found is not None:
        return found
    roots = ", ".join(root for _, root in table.roots)
    return Resolved(
        None,
        "Warning",
        f"<{value}> of field {rule.name} could not be checked offline: it is not among the bundled terms "
        f"under {roots}{hint}",
    )


def did_you_mean(value: str, labels: dict[str, str]) -> str:
    """'. Did you mean 'uterus'?' for the closest labels, or '' when none is close."""
    folded = {label.casefold(): label for label in labels}
    close = difflib.get_close_matches(value.casefold(), folded, n=SUGGESTIONS, cutoff=0.7)
    if not close:
        return ""
    return ". Did you mean " + " or ".join(f"'{folded[c]}'" for c in close) + "?"


def ols_url() -> str:
    return str(getattr(settings, "VALIDATION_OLS_URL", "") or "").rstrip("/")


_ols_cache: dict[tuple[str, tuple[tuple[str, str], ...], str], Resolved] = {}


def _ols(roots: tuple[tuple[str, str], ...], value: str) -> Resolved | None:
    """Look `value` up under the rule's roots in OLS; None (keep the offline Warning) if OLS cannot answer.

    Answers are cached per process, failures are not: a timeout today must not
    make a term unknown for the server's lifetime.
    """
    key = (ols_url(), roots, value)
    if key in _ols_cache:
        return _ols_cache[key]
    timeout = float(getattr(settings, "VALIDATION_OLS_TIMEOUT_SECONDS", 5))
    try:
        with httpx.Client(timeout=timeout) as client:
            for ontology, root in roots:
                response = client.get(
                    f"{ols_url()}/api/search",
                    params={
                        "q": value,
                        "exact": "true",
                        "ontology": ontology.lower(),
                        "allChildrenOf": vocab.term_iri(root),
                        "fieldList": "iri,label,short_form",
                    },
                )
                response.raise_for_status()
                docs = response.json().get("response", {}).get("docs", [])
                if docs:
                    result = Resolved(str(docs[0].get("short_form", "")) or None)
                    break
            else:
                listed = ", ".join(root for _, root in roots)
                result = Resolved(None, "Error", f"Provided value {value} is not a term under {listed} in OLS")
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("OLS lookup of %r failed: %s", value, error)
        return None
    _ols_cache[key] = result
    return result


def attribute_term_id(attribute: str, value: str) -> str | None:
    """The bundled short id for `value` of the IMAGE attribute (e.g. "Organism part", "semen"), or None.

    Offline only (no OLS): for code that builds documents, such as the archive payloads.
    """
    for group in current_ruleset().groups:
        for rule in group.rules:
            if rule.name == attribute and rule.type == "ontology_id":
                table = allowed(rule)
                label = table.folded.get(value.casefold())
                return table.labels[label] if label is not None else None
    return None


def attribute_term_iri(attribute: str, value: str) -> str | None:
    """The term IRI for `value` of an IMAGE attribute ("Sex", "male" → the PATO_0000384 PURL), or None."""
    term = attribute_term_id(attribute, value)
    return vocab.term_iri(term) if term else None
