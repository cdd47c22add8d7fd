"""Checks that refuse an uploaded data file before or while its records are stored.

Shared by the create/edit forms, which refuse what they can see at upload
time (name, size, the first bytes, a workbook's ZIP directory), and by the importer, which sees the whole
file later in a background job and must refuse the same files with the same
words, because a file can reach it without going through a form.

Ids already used elsewhere are refused by `check_ids_are_free`:

* an id that another submission of the *same owner* already uses for the same
  record type is refused, naming a few ids and that submission's title: one
  animal or sample must not be sent to the archive twice from two submissions;
* an id used in *another owner's* submission is refused only when that record
  has an accession, i.e. it is already public in the archive. The message
  names the ids but never the other submission or its owner. Unpublished
  records are private to their owner, and two labs may well both have a COW1.
"""

from __future__ import annotations

import os
from typing import IO

from django.conf import settings
from django.db.models import Q

from uid.formats.cryoweb_sniff import DESCRIPTION as CRYOWEB_DUMP
from uid.formats.cryoweb_sniff import looks_like_sql
from uid.formats.zip_guard import workbook_problem
from uid.models import Animal, Sample, Submission
from uid.sizes import megabytes

ACCEPTED_EXTENSIONS: tuple[str, ...] = (".csv", ".tsv", ".txt", ".xlsx", ".sql")
ACCEPTED_TEXT = ".csv, .tsv, .txt, .xlsx or .sql (CryoWeb dump)"
# Workbook formats other than .xlsx that people pick; they get a "save as" hint.
SPREADSHEET_EXTENSIONS = frozenset({".xlsm", ".xls", ".ods", ".numbers"})
SAVE_AS_CSV = 'Save your spreadsheet as an Excel .xlsx workbook or as "CSV UTF-8" and upload that file.'
ZIP_SIGNATURE = b"PK\x03\x04"
# How much of a file the content sniffing looks at: magic numbers sit in the
# first bytes, and a text file has no NUL byte anywhere in its first KB.
HEAD_BYTES = 1024
# Files start with these bytes whatever their name says (magic numbers).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive, such as an Excel .xlsx workbook"),
    (b"PK\x05\x06", "a ZIP archive, such as an Excel .xlsx workbook"),
    (b"PK\x07\x08", "a ZIP archive, such as an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook or other Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
)
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
UTF8_HINT = 'Save it from your spreadsheet program as "CSV UTF-8" and upload it again.'
# How many offending items a message lists before summarising the rest.
SHOWN = 5


class ImportFailed(Exception):
    """The file cannot be imported; the message tells the submitter what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def extension_problem(name: str) -> str | None:
    """Why a file name is not accepted, or None. Only the name is looked at, never the content.

    Other workbook formats (.xls, .ods...) are refused by name, so nothing
    tries to open them; .xlsx is checked by `upload_content_problem`.
    """
    extension = os.path.splitext(name)[1].lower()
    if extension in ACCEPTED_EXTENSIONS:
        return None
    if extension in SPREADSHEET_EXTENSIONS:
        return f"Spreadsheet workbooks ({extension}) are not accepted; upload a {ACCEPTED_TEXT} file. {SAVE_AS_CSV}"
    if not extension:
        return f"The file name has no extension; upload a {ACCEPTED_TEXT} file."
    return f"{extension} files are not accepted; upload a {ACCEPTED_TEXT} file."


def content_problem(head: bytes) -> str | None:
    """Why the start of a file shows it is not UTF-8 CSV text, or None.

    Looks at the bytes, not the name, so a renamed binary is caught. Byte
    order marks come first: UTF-16 text is full of NUL bytes and would
    otherwise be called binary, which is misleading.
    """
    for mark, encoding in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return _encoding_problem(encoding)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return f"This file is not a CSV text file (it looks like {kind}). {SAVE_AS_CSV}"
    head = head[:HEAD_BYTES]
    if b"\x00" in head:
        if _looks_like_utf16(head):
            return _encoding_problem("UTF-16")
        return f"This file is not a CSV text file (it contains binary data). {SAVE_AS_CSV}"
    return None


def upload_content_problem(file: IO[bytes], name: str) -> str | None:
    """Why an upload's content cannot be imported, or None; `file` is left rewound.

    Formats are told by content, as the importer does: a ZIP is checked as
    an .xlsx workbook, from its directory alone (nothing is unpacked), and
    anything else must be UTF-8 CSV text. A file named .xlsx must be a ZIP.
    """
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith(ZIP_SIGNATURE):
        return workbook_problem(file)
    extension = os.path.splitext(name)[1].lower()
    if extension == ".sql" and not looks_like_sql(head):
        kind = next((kind for signature, kind in SIGNATURES if head.startswith(signature)), "a CSV or text file")
        return (
            f"This file is named .sql but is not {CRYOWEB_DUMP} (this looks like {kind}). "
            "Upload the plain SQL that CryoWeb's pg_dump --data-only writes, or the file under its own extension."
        )
    if extension == ".xlsx":
        kind = next((kind for signature, kind in SIGNATURES if head.startswith(signature)), "")
        looks = f"it looks like {kind}" if kind else "its content is not a ZIP archive"
        if not kind and looks_like_sql(head):
            looks = f"this looks like {CRYOWEB_DUMP}; name it .sql"
        return f"This file is named .xlsx but is not an Excel .xlsx workbook ({looks}). {SAVE_AS_CSV}"
    return content_problem(head)


def _encoding_problem(encoding: str) -> str:
    return (
        f"This file is encoded as {encoding}; save it as UTF-8 "
        '(in your spreadsheet program: Save As, "CSV UTF-8") and upload it again.'
    )


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII text with a NUL byte beside every character."""
    even, odd = head[0::2], head[1::2]
    for zeros, chars in ((odd, even), (even, odd)):
        if len(zeros) >= 2 and zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.1 * len(chars):
            return True
    return False


def read_limited(file: IO[bytes] | str | os.PathLike[str]) -> bytes:
    """All the file's bytes, refusing to hold more than the upload limit in memory."""
    limit = settings.UPLOAD_MAX_BYTES
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ImportFailed(
            f"The file is larger than the {megabytes(limit)} MB limit. Split the records over several submissions."
        )
    return data


def decode(data: bytes) -> str:
    """The file as text, or ImportFailed saying why it is not UTF-8 CSV text."""
    problem = content_problem(data[:HEAD_BYTES])
    if problem is None and b"\x00" in data:
        problem = f"This file is not a CSV text file (it contains binary data). {SAVE_AS_CSV}"
    if problem is not None:
        raise ImportFailed(problem)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        raise ImportFailed(
            f"The file is not UTF-8 encoded: line {line} contains the byte 0x{bad}, "
            f"which is not valid UTF-8 (the file was probably saved as Latin-1 or Windows-1252). {UTF8_HINT}"
        ) from None


def check_ids_are_free(submission: Submission) -> None:
    """Refuse records whose ids other submissions already hold (rules in the module docstring).

    Runs inside the import's transaction, after the new records are inserted,
    so one query per record type finds every clash whatever the file's size
    (no `IN` list of 100,000 ids), and raising rolls the insert back.
    """
    own: list[str] = []
    archived: list[str] = []
    for kind, model in (("animal", Animal), ("sample", Sample)):
        new_ids = model.objects.filter(submission=submission).values("name")
        clashes = (
            model.objects.filter(name__in=new_ids)
            .exclude(submission=submission)
            .filter(Q(submission__owner_id=submission.owner_id) | ~Q(accession=""))
            .order_by("submission_id", "row", "pk")
            .values_list("name", "submission__owner_id", "submission__title")
        )
        seen: set[str] = set()
        for name, owner_id, title in clashes.iterator():
            if name in seen:
                continue  # one mention per id, even when several submissions hold it
            seen.add(name)
            if owner_id == submission.owner_id:
                own.append(f'{kind} "{name}" (in "{title}")')
            else:
                archived.append(f'{kind} "{name}"')
    problems = []
    if own:
        problems.append(
            f"Ids already used in your other submissions: {listing(own)}. "
            "A record can belong to one submission only: edit that submission instead, or give these records new ids."
        )
    if archived:
        problems.append(
            f"Ids already in the archive: {listing(archived)}. "
            "Archived records keep their ids; give these records new ids."
        )
    if problems:
        raise ImportFailed(" ".join(problems))


def listing(items: list[str], *, sep: str = ", ") -> str:
    """The first few items, and how many more there are, so a message stays readable."""
    shown = sep.join(items[:SHOWN])
    rest = len(items) - SHOWN
    return f"{shown} (and {rest} more)" if rest > 0 else shown
