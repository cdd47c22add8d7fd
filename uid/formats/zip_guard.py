"""Refuse a ZIP container that is not a workbook, or would unpack to too much, before unpacking it.

An .xlsx file is a ZIP archive of XML files, and a few KB of ZIP can unpack
to gigabytes (a zip bomb). Only the central directory is read here, which
declares every member's packed and unpacked size; nothing is inflated.
Those declarations bound the unpacking that follows too: Python's zipfile
stops inflating a member at its declared size (and fails its CRC check if
the declaration lied), so checking them is enough.
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings

from uid.sizes import megabytes

# Defaults for settings a deployment may override.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 2000
# Worksheet XML compresses well, typically 10 to 30 times; a bomb's zeros, a thousand times.
MAX_RATIO = 200
# Small members (styles, themes) can compress better still without any danger.
RATIO_FROM_BYTES = 1024 * 1024
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# Other ZIP-based documents people pick by mistake, told by a part only they have.
OTHER_DOCUMENTS = (
    ("word/", "a Word .docx document"),
    ("ppt/", "a PowerPoint .pptx presentation"),
    ("content.xml", "an OpenDocument file, such as LibreOffice's .ods"),
)
RESAVE = "Open it in Excel or LibreOffice, save it again as an .xlsx workbook and upload that file."


def workbook_problem(file: IO[bytes]) -> str | None:
    """Why the ZIP in `file` must not be opened as a workbook, or None. Leaves `file` rewound."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return f"This file is not a readable .xlsx workbook: its ZIP structure is damaged or cut short. {RESAVE}"
    finally:
        file.seek(0)
    limit = getattr(settings, "XLSX_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES)
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > limit:
        return (
            f"This workbook would unpack to {megabytes(unpacked)} MB in {len(members)} parts, more than the "
            f"{megabytes(limit)} MB accepted. Split the records over several workbooks."
        )
    for member in members:
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            return (
                f'This workbook\'s part "{member.filename}" is compressed {ratio} '
                "times, far more than any spreadsheet is; it is refused as a possible zip bomb. "
                f"{RESAVE}"
            )
    if any(member.flag_bits & 0x1 for member in members):
        return "This workbook is encrypted. Remove its password, save it again and upload it."
    names = {member.filename for member in members}
    if not all(part in names for part in WORKBOOK_PARTS):
        kind = next((kind for prefix, kind in OTHER_DOCUMENTS if any(name.startswith(prefix) for name in names)), "")
        looks = f" (it looks like {kind})" if kind else ""
        return (
            f"This file is a ZIP archive but not an Excel .xlsx workbook{looks}. "
            "Upload the .xlsx workbook itself (from the template), or a CSV file."
        )
    return None
