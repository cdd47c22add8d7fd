"""The words a refused or unreadable CryoWeb dump gets, naming its line and what was found there."""

from __future__ import annotations

import re

from uid.upload_checks import ImportFailed

SCHEMA = "apiis_admin"
DUMP_HINT = (
    f"Upload the plain SQL that pg_dump --data-only --schema {SCHEMA} writes "
    "(with --column-inserts, or its default COPY form)."
)

ALLOWED_FIRST = frozenset({"SET", "SELECT", "INSERT", "COPY"})


def decode_line(raw: bytes, line: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(
            f"Line {line} of the dump is not UTF-8. Dump the database again with pg_dump --encoding=UTF8."
        ) from None
    if "\x00" in text:
        raise ImportFailed(f"Line {line} of the dump holds binary data (a NUL byte): this is not a plain SQL dump.")
    return text.removeprefix("\ufeff") if line == 1 else text


def check_first_word(stripped: str, line: int) -> None:
    first = re.match(r"[A-Za-z]+", stripped)
    word = first.group().upper() if first else ""
    if word in ALLOWED_FIRST:
        return
    kinds = {
        "CREATE": "a schema statement (DDL)",
        "ALTER": "a schema statement (DDL)",
        "DROP": "a DROP statement",
        "TRUNCATE": "a TRUNCATE statement",
        "DELETE": "a DELETE statement",
        "UPDATE": "an UPDATE statement",
        "DO": "a DO block (code)",
        "GRANT": "a GRANT statement",
        "REVOKE": "a REVOKE statement",
    }
    what = kinds.get(word, "a statement")
    if word == "CREATE" and re.match(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|TRIGGER)", stripped, re.I):
        what = "a function definition"
    raise refused(line, stripped, what)


def refused(line: int, text: str, what: str) -> ImportFailed:
    excerpt = " ".join(text.split())
    excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
    return ImportFailed(
        f'Line {line} holds {what} ("{excerpt}"), which a data-only CryoWeb dump never contains. '
        f"The dump is refused and nothing in it was run. {DUMP_HINT}"
    )


def malformed(line: int, what: str) -> ImportFailed:
    return ImportFailed(f"Line {line} of the dump cannot be read: {what}. {DUMP_HINT}")
