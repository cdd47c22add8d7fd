"""Telling the import formats apart by their content, and saying what a file looks like when it fits none.

Every format module offers the same small interface (`Format` below):
`NAME`, `LABEL` (how a message names it: "this looks like {LABEL}"),
`looks_like(head)`, judged on the first `HEAD_BYTES` of the file, and
`parse(data, progress, *, language)`; optionally `ABSENT`, what a file
chosen as that format but not recognised lacks ("this CSV has none of …").
`language` is the species-synonym language of the submission's gene bank
country (`uid.formats.species`, formats.md §0.3): every parser is given it,
and those that name species resolve them in it. `FORMATS` lists the
formats in the order they are tried; the first whose `looks_like` holds
reads the file. A new format is one module and one entry here (a CryoWeb
dump goes before the CSV formats, since a dump is text too).
"""

from __future__ import annotations

from typing import Protocol

from uid.formats import Parsed, Progress, crb_anim, cryoweb, csv_template, xlsx_template
from uid.formats.species import DEFAULT_LANGUAGE
from uid.upload_checks import ImportFailed, content_problem

# Enough for the longest header line and a dump's opening comments and SET lines.
HEAD_BYTES = 64 * 1024
AUTO = ""


class Format(Protocol):
    NAME: str
    LABEL: str

    def looks_like(self, head: bytes) -> bool: ...

    def parse(self, data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> Parsed: ...


FORMATS: tuple[Format, ...] = (xlsx_template, cryoweb, crb_anim, csv_template)  # type: ignore[assignment]
BY_NAME: dict[str, Format] = {module.NAME: module for module in FORMATS}


def detect(head: bytes) -> Format | None:
    """The first format whose sniffer recognises the start of the file, or None."""
    return next((module for module in FORMATS if module.looks_like(head)), None)


def mismatch(head: bytes, chosen: str = AUTO) -> str | None:
    """Why a file cannot be read as `chosen` (or, with AUTO, as any format), saying what it looks like; or None."""
    found = detect(head)
    if chosen == AUTO:
        return None if found is not None else none_fits(head)
    wanted = BY_NAME[chosen]
    if found is wanted:
        return None
    if found is not None:
        return (
            f"This file was to be read as {wanted.LABEL}, but this looks like {found.LABEL}. "
            "Choose that format, or let the site recognise it."
        )
    return f"This file was to be read as {wanted.LABEL}, but {_absent(wanted, head)}"


def none_fits(head: bytes) -> str:
    """The message for a file no sniffer recognises: which columns each text format would need."""
    problem = content_problem(head)
    if problem is not None:
        return problem
    return (
        "This file looks like none of the accepted formats: this CSV has neither the submission template's "
        f"column {csv_template.COLUMNS[0]} nor the CRB-Anim mandatory columns ({', '.join(crb_anim.COLUMNS[:5])}, "
        "…). Start from one of the templates on the create page and keep its header row."
    )


def _absent(wanted: Format, head: bytes) -> str:
    """What the file lacks to be `wanted`: the module's ABSENT sentence, if it has one."""
    return getattr(wanted, "ABSENT", "it does not look like one.")


def parse(data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> tuple[str, Parsed]:
    """(format name, records) of a whole file, recognised by its content; ImportFailed when nothing fits.

    `language` names species synonyms' language (`species.language_of` of the gene bank country).
    """
    head = data[:HEAD_BYTES]
    found = detect(head)
    if found is None:
        raise ImportFailed(none_fits(head))
    return found.NAME, found.parse(data, progress, language=language)
