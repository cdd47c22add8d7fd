"""Reading the rows of a data-only pg_dump plain SQL dump without ever running it.

InjectTool pipes the upload into psql, which also runs psql meta-commands
(`\\!` is a shell on the host) and any DDL in the file (formats.md §3.1).
Here the file is only tokenized: the statements a data-only pg_dump writes
(SET, `SELECT pg_catalog.set_config/setval`, comments, INSERT INTO and COPY
... FROM stdin into `apiis_admin` tables) are understood, and anything else
is refused, naming its line, before a single row is kept. The text is read
line by line and one statement is held at a time, capped in size, so a
never-ending quote cannot hold the server.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import NamedTuple

from common.constants import PROGRESS_STRIDE
from uid.formats import Progress
from uid.upload_checks import ImportFailed

SCHEMA = "apiis_admin"
# pg_dump's last comment line: a dump without it was cut short (at a line end, which looks complete otherwise).
TRAILER = "-- PostgreSQL database dump complete"
STATEMENT_MAX_CHARS = 1024 * 1024
# Recent pg_dump versions guard their output with these; they only name a random key.
_RESTRICT = re.compile(r"\\(?:un)?restrict\s+[A-Za-z0-9]+")
DUMP_HINT = (
    f"Upload the plain SQL that pg_dump --data-only --schema {SCHEMA} writes "
    "(with --column-inserts, or its default COPY form)."
)

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_STRING = r"'[^']*(?:''[^']*)*'"
_ESTRING = r"[Ee]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _lexer(strings: str) -> re.Pattern[str]:
    return re.compile(
        rf"""(?P<space>\s+)|(?P<comment>--[^\n]*)|(?P<estring>{_ESTRING})|(?P<string>{strings})
        |(?P<ident>{_IDENT})|(?P<number>{_NUMBER})|(?P<op>[(),;.=])|(?P<open>[Ee]?'|")|(?P<other>.)""",
        re.S | re.X,
    )


# Standard conforming strings (pg_dump's default since 9.1) and the old backslash-escaping ones.
_LEXERS = {True: _lexer(_STRING), False: _lexer(_ESTRING.removeprefix("[Ee]"))}
_INSERT = re.compile(
    rf"INSERT\s+INTO\s+(?P<table>{_IDENT}(?:\.{_IDENT})?)\s*\((?P<columns>[^)]*)\)\s*"
    r"(?:OVERRIDING\s+(?:SYSTEM|USER)\s+VALUE\s+)?VALUES\s*",
    re.I,
)
_VALUE = {
    conforming: re.compile(
        rf"\s*(?:(?P<string>{strings})|(?P<estring>{_ESTRING})|(?P<null>NULL\b)|(?P<number>{_NUMBER})"
        r"|(?P<bool>true\b|false\b))\s*(?P<sep>[,)])",
        re.I,
    )
    for conforming, strings in ((True, _STRING), (False, _ESTRING.removeprefix("[Ee]")))
}
_ROW_START = re.compile(r"\s*\(")
_ROW_END = re.compile(r"\s*([,;])")
_COLUMN = re.compile(rf"\s*({_IDENT})\s*(?:,|$)")
_BACKSLASH = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))", re.S)
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ALLOWED_FIRST = frozenset({"SET", "SELECT", "INSERT", "COPY"})
_SELECT_FUNCTIONS = frozenset({"set_config", "setval"})


class Row(NamedTuple):
    table: str
    line: int
    values: tuple[str | None, ...]  # in the order of the wanted columns; None is SQL NULL or an absent column


class _Incomplete(Exception):
    """The statement goes on past the lines read so far (a quoted value holds a line break)."""


def read_rows(data: bytes, wanted: dict[str, tuple[str, ...]], progress: Progress = None) -> Iterator[Row]:
    """The rows of `wanted`'s tables, with the wanted columns; ImportFailed on anything a data dump does not hold."""
    return _Reader(wanted, progress).rows(data)


class _Reader:
    def __init__(self, wanted: dict[str, tuple[str, ...]], progress: Progress) -> None:
        self.wanted = wanted
        self.progress = progress
        self.conforming = True  # standard_conforming_strings
        self.search_path: list[str] = [SCHEMA]
        # (table, column list) → positions of the wanted columns in it.
        self._projections: dict[tuple[str, str], tuple[int, ...] | None] = {}

    def rows(self, data: bytes) -> Iterator[Row]:
        total = max(data.count(b"\n"), 1)
        pending: list[str] = []
        size = start = 0
        copy: tuple[str, tuple[int, ...] | None, int, int] | None = None  # table, projection, width, line
        complete = False
        line = 0
        for raw in io.BytesIO(data):
            line += 1
            if self.progress is not None and line % PROGRESS_STRIDE == 0:
                self.progress(min(line, total), total)
            text = _decode(raw, line)
            if copy is not None:
                if text.rstrip("\r\n") == "\\.":
                    copy = None
                    continue
                if not text.endswith("\n"):
                    break  # the last line of the file, cut inside the data
                row = _copy_row(text[:-1].removesuffix("\r") if text.endswith("\r\n") else text[:-1], copy, line)
                if row is not None:
                    yield row
                continue
            if not pending:
                stripped = text.strip()
                if not stripped:
                    continue
                if stripped.startswith("--"):
                    complete = complete or stripped == TRAILER
                    continue
                if stripped.startswith("\\"):
                    if _RESTRICT.fullmatch(stripped):
                        continue
                    raise ImportFailed(
                        f"Line {line} is a psql meta-command ({stripped.split()[0]}), which runs commands or reads "
                        f"files on the server when a dump is executed; a data-only dump has none. "
                        f"Nothing in the file was run. {DUMP_HINT}"
                    )
                _check_first_word(stripped, line)
                complete = False
                start = line
            pending.append(text)
            size += len(text)
            if size > STATEMENT_MAX_CHARS:
                raise ImportFailed(
                    f"The statement that starts on line {start} is longer than {STATEMENT_MAX_CHARS // 1024} KB: "
                    f"a quote is probably never closed, or the file is not a CryoWeb dump. {DUMP_HINT}"
                )
            if not text.rstrip().endswith(";"):
                continue
            statement = "".join(pending)
            while statement:
                try:
                    found, end, copy = self._statement(statement, start)
                except _Incomplete:
                    break
                yield from found
                statement = statement[end:]
                if not statement.strip() or statement.lstrip().startswith("--"):
                    statement = ""
                elif copy is not None:
                    raise _malformed(start, "text follows COPY ... FROM stdin; on its line")
                else:
                    _check_first_word(statement.strip(), line)
                    start = line
            else:
                pending, size = [], 0
                continue
            pending, size = [statement], len(statement)
        if copy is not None:
            raise ImportFailed(
                f"The dump ends at line {line} inside the COPY data of table {copy[0]} that starts on line {copy[3]} "
                "(its closing \\. line is missing): the file is cut short. Upload the whole dump again."
            )
        if pending:
            raise ImportFailed(
                f"The dump ends at line {line} inside the statement that starts on line {start}: the file is cut "
                "short, or a quote is never closed. Upload the whole dump again."
            )
        if not complete:
            raise ImportFailed(
                f'The dump ends at line {line} without pg_dump\'s closing line "{TRAILER}": the file is cut short '
                "or is not a whole pg_dump output. Upload the whole dump again."
            )

    def _statement(
        self, text: str, line: int
    ) -> tuple[list[Row], int, tuple[str, tuple[int, ...] | None, int, int] | None]:
        """(rows, end offset, COPY block it opens) of the first statement of `text`."""
        insert = _INSERT.match(text, len(text) - len(text.lstrip()))
        if insert is not None:
            rows, end = self._insert(text, insert, line)
            return rows, end, None
        tokens, end = self._tokens(text, line)
        first = tokens[0][1].upper()
        if first == "SET":
            self._set(tokens, text, line)
        elif first == "SELECT":
            self._select(tokens, text, line)
        elif first == "COPY":
            return [], end, self._copy(tokens, text, line)
        elif first == "INSERT":
            raise _malformed(line, "an INSERT without its column list (dump with --column-inserts)")
        return [], end, None

    def _tokens(self, text: str, line: int) -> tuple[list[tuple[str, str]], int]:
        """The significant tokens of the first statement, up to its `;`, and the offset after it."""
        tokens = []
        for match in _LEXERS[self.conforming].finditer(text):
            kind = match.lastgroup
            if kind in ("space", "comment"):
                continue
            if kind == "open":
                raise _Incomplete
            if kind == "other":
                if match.group() == "\\":
                    raise _refused(line, text, "a psql meta-command")
                raise _malformed(line, f'unexpected "{match.group()}"')
            if match.group() == ";":
                return tokens, match.end()
            tokens.append((kind, match.group()))
        raise _Incomplete

    def _set(self, tokens: list[tuple[str, str]], text: str, line: int) -> None:
        words = [value for kind, value in tokens]
        if len(words) < 2 or tokens[1][0] != "ident":
            raise _malformed(line, "a SET statement without a setting name")
        if len(words) < 4 or words[2].upper() not in ("=", "TO"):
            return  # e.g. SET SESSION AUTHORIZATION: nothing that changes how the rows read
        name, values = words[1].lower(), [_literal(kind, value, self.conforming) for kind, value in tokens[3:]]
        if name == "standard_conforming_strings":
            self.conforming = str(values[0]).lower() in ("on", "true")
        elif name == "search_path":
            self.search_path = [str(value) for value in values if value != ","]

    def _select(self, tokens: list[tuple[str, str]], text: str, line: int) -> None:
        words = [value.lower() for kind, value in tokens]
        if words[1:3] == ["pg_catalog", "."]:
            words, tokens = words[:1] + words[3:], tokens[:1] + tokens[3:]
        shape_ok = (
            len(words) >= 4
            and words[1] in _SELECT_FUNCTIONS
            and words[2] == "("
            and words[-1] == ")"
            and all(
                kind in ("string", "estring", "number") or value.lower() in ("true", "false", ",")
                for kind, value in tokens[3:-1]
            )
        )
        if not shape_ok:
            raise _refused(line, text, "a SELECT other than pg_catalog.set_config or setval")
        if words[1] == "set_config" and len(tokens) > 6 and _literal(*tokens[3], self.conforming) == "search_path":
            self.search_path = [part.strip() for part in str(_literal(*tokens[5], self.conforming)).split(",") if part]

    def _copy(
        self, tokens: list[tuple[str, str]], text: str, line: int
    ) -> tuple[str, tuple[int, ...] | None, int, int]:
        words = [value.upper() if kind == "ident" else value for kind, value in tokens]
        if "PROGRAM" in words:
            raise _refused(line, text, "COPY ... PROGRAM, which runs a shell command")
        if "TO" in words:
            raise _refused(line, text, "COPY ... TO, which writes a file")
        try:
            opened, close = words.index("("), words.index(")")
        except ValueError:
            raise _malformed(line, "a COPY without its column list") from None
        if words[close + 1 :] != ["FROM", "STDIN"]:
            raise _refused(line, text, "a COPY that does not read its rows from the dump (FROM stdin)")
        name = "".join(value for kind, value in tokens[1:opened])
        columns = "".join(value for kind, value in tokens[opened + 1 : close])
        table = self._table(name, line, text)
        return table, self._projection(table, columns, line), columns.count(",") + 1, line

    def _insert(self, text: str, head: re.Match[str], line: int) -> tuple[list[Row], int]:
        table = self._table(head["table"], line, text)
        projection = self._projection(table, head["columns"], line)
        width = head["columns"].count(",") + 1  # after _projection checked every column is one name
        value = _VALUE[self.conforming]
        rows: list[Row] = []
        at = head.end()
        while True:
            opened = _ROW_START.match(text, at)
            if opened is None:
                raise self._insert_problem(text, at, line, "a row of values in parentheses")
            at = opened.end()
            values: list[str | None] = []
            while True:
                match = value.match(text, at)
                if match is None:
                    raise self._insert_problem(text, at, line, "a value (a quoted text, a number or NULL)")
                at = match.end()
                values.append(_value(match, self.conforming))
                if match["sep"] == ")":
                    break
            if len(values) != width:
                raise _malformed(line, f"{len(values)} values for {width} columns")
            if projection is not None:
                rows.append(Row(table, line, tuple(values[index] if index >= 0 else None for index in projection)))
            ended = _ROW_END.match(text, at)
            if ended is None:
                raise self._insert_problem(text, at, line, '"," or ";" after a row')
            at = ended.end()
            if ended.group(1) == ";":
                return rows, at

    def _insert_problem(self, text: str, at: int, line: int, expected: str) -> Exception:
        """Incomplete when the rest opens a quote the lines read so far do not close, else malformed."""
        self._tokens(text[at:], line)  # raises _Incomplete for an open quote, or a precise complaint
        where = line + text.count("\n", 0, at)
        return _malformed(where, f'expected {expected} at "{text[at : at + 30].strip()}"')

    def _table(self, name: str, line: int, text: str) -> str:
        parts = [_identifier(part) for part in re.findall(_IDENT, name)]
        if not 1 <= len(parts) <= 2:
            raise _malformed(line, f'an unreadable table name "{name.strip()[:60]}"')
        schema = parts[0] if len(parts) == 2 else (self.search_path[0] if self.search_path else SCHEMA)
        if schema != SCHEMA:
            raise _refused(line, text, f"rows for schema {schema}, outside CryoWeb's {SCHEMA}")
        return parts[-1]

    def _projection(self, table: str, columns: str, line: int) -> tuple[int, ...] | None:
        key = (table, columns)
        if key not in self._projections:
            names = [_identifier(match.group(1)) for match in _COLUMN.finditer(columns)]
            if len(names) != columns.count(",") + 1:
                raise _malformed(line, f"an unreadable column list ({columns.strip()[:60]})")
            wanted = self.wanted.get(table)
            self._projections[key] = (
                None if wanted is None else tuple(names.index(name) if name in names else -1 for name in wanted)
            )
        return self._projections[key]


def _copy_row(text: str, copy: tuple[str, tuple[int, ...] | None, int, int], line: int) -> Row | None:
    table, projection, width, _start = copy
    fields = text.split("\t")
    if len(fields) != width:
        raise _malformed(line, f"{len(fields)} tab-separated values in the COPY data of {table}, for {width} columns")
    if projection is None:
        return None
    return Row(table, line, tuple(_copy_field(fields[index]) if index >= 0 else None for index in projection))


def _copy_field(field: str) -> str | None:
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    return _BACKSLASH.sub(_unescape, field)


def _unescape(match: re.Match[str]) -> str:
    octal, hexa, char = match.groups()
    if octal:
        return chr(int(octal, 8))
    if hexa:
        return chr(int(hexa, 16))
    return _ESCAPES.get(char, char)


def _value(match: re.Match[str], conforming: bool) -> str | None:
    text = match["string"]
    if text is not None:
        return text[1:-1].replace("''", "'") if conforming else _literal("string", text, conforming)
    if match["null"] is not None:
        return None
    if match["number"] is not None:
        return match["number"]
    if match["estring"] is not None:
        return _literal("estring", match["estring"], conforming)
    return match["bool"].lower()


def _literal(kind: str, text: str, conforming: bool) -> str | None:
    if kind == "null" or (kind == "ident" and text.upper() == "NULL"):
        return None
    if kind == "string" and conforming:
        return text[1:-1].replace("''", "'")
    if kind in ("string", "estring"):
        body = text[2:-1] if kind == "estring" else text[1:-1]
        return _BACKSLASH.sub(_unescape, body.replace("''", "'")) if "\\" in body else body.replace("''", "'")
    if kind == "bool":
        return text.lower()
    return text


def _identifier(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def _decode(raw: bytes, line: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(
            f"Line {line} of the dump is not UTF-8. Dump the database again with pg_dump --encoding=UTF8."
        ) from None
    if "\x00" in text:
        raise ImportFailed(f"Line {line} of the dump holds binary data (a NUL byte): this is not a plain SQL dump.")
    return text.removeprefix("\ufeff") if line == 1 else text


def _check_first_word(stripped: str, line: int) -> None:
    first = re.match(r"[A-Za-z]+", stripped)
    word = first.group().upper() if first else ""
    if word in _ALLOWED_FIRST:
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
    raise _refused(line, stripped, what)


def _refused(line: int, text: str, what: str) -> ImportFailed:
    excerpt = " ".join(text.split())
    excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
    return ImportFailed(
        f'Line {line} holds {what} ("{excerpt}"), which a data-only CryoWeb dump never contains. '
        f"The dump is refused and nothing in it was run. {DUMP_HINT}"
    )


def _malformed(line: int, what: str) -> ImportFailed:
    return ImportFailed(f"Line {line} of the dump cannot be read: {what}. {DUMP_HINT}")
