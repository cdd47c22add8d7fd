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
from uid.formats.cryoweb_refusals import DUMP_HINT, SCHEMA, check_first_word, decode_line, malformed, refused
from uid.formats.sql_text import (
    COLUMN,
    IDENT,
    INSERT,
    LEXERS,
    ROW_END,
    ROW_START,
    VALUE,
    QuoteScanner,
    copy_field,
    identifier,
    literal,
    row_value,
)
from uid.upload_checks import ImportFailed

# pg_dump's last comment line: a dump without it was cut short (at a line end, which looks complete otherwise).
TRAILER = "-- PostgreSQL database dump complete"
STATEMENT_MAX_CHARS = 1024 * 1024
# Recent pg_dump versions guard their output with these; they only name a random key.
_RESTRICT = re.compile(r"\\(?:un)?restrict\s+[A-Za-z0-9]+")
_SELECT_FUNCTIONS = frozenset({"set_config", "setval"})
# What may follow a statement's `;`; the statements are walked by offset, never by slicing off the rest.
_GAP = re.compile(r"(?:\s+|--[^\n]*)*")
_EXCERPT = 200  # characters of a statement handed to a refusal, which quotes at most 60 of them


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
        scanner: QuoteScanner | None = None  # where the pending statement stands
        for raw in io.BytesIO(data):
            line += 1
            if self.progress is not None and line % PROGRESS_STRIDE == 0:
                self.progress(min(line, total), total)
            text = decode_line(raw, line)
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
                check_first_word(stripped, line)
                complete = False
                start = line
            pending.append(text)
            size += len(text)
            if size > STATEMENT_MAX_CHARS:
                raise ImportFailed(
                    f"The statement that starts on line {start} is longer than {STATEMENT_MAX_CHARS // 1024} KB: "
                    f"a quote is probably never closed, or the file is not a CryoWeb dump. {DUMP_HINT}"
                )
            if scanner is None:
                scanner = QuoteScanner(conforming=self.conforming)
            scanner.feed(text)
            if not scanner.complete:
                continue
            statement = "".join(pending)
            at = 0
            try:
                while True:
                    found, at, copy = self._statement(statement, start, at)
                    yield from found
                    at = _GAP.match(statement, at).end()
                    if at == len(statement):
                        break
                    if copy is not None:
                        raise malformed(start, "text follows COPY ... FROM stdin; on its line")
                    check_first_word(statement[at : at + _EXCERPT], line)
                    start = line
            except _Incomplete:
                # The reader sees a quote open where the scanner saw none: the statement can only run on to
                # the size cap or the end of the file, and is never parsed again (which would be quadratic).
                pending, size = [statement[at:]], len(statement) - at
                scanner.stuck = True
                continue
            pending, size, scanner = [], 0, None
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
        self, text: str, line: int, at: int
    ) -> tuple[list[Row], int, tuple[str, tuple[int, ...] | None, int, int] | None]:
        """(rows, end offset, COPY block it opens) of the statement of `text` that starts at offset `at`."""
        at = _GAP.match(text, at).end()
        excerpt = text[at : at + _EXCERPT]
        insert = INSERT.match(text, at)
        if insert is not None:
            rows, end = self._insert(text, insert, line, excerpt)
            return rows, end, None
        tokens, end = self._tokens(text, line, at)
        first = tokens[0][1].upper()
        if first == "SET":
            self._set(tokens, excerpt, line)
        elif first == "SELECT":
            self._select(tokens, excerpt, line)
        elif first == "COPY":
            return [], end, self._copy(tokens, excerpt, line)
        elif first == "INSERT":
            raise malformed(line, "an INSERT without its column list (dump with --column-inserts)")
        return [], end, None

    def _tokens(self, text: str, line: int, at: int) -> tuple[list[tuple[str, str]], int]:
        """The significant tokens of the statement at offset `at`, up to its `;`, and the offset after it."""
        tokens = []
        for match in LEXERS[self.conforming].finditer(text, at):
            kind = match.lastgroup
            if kind in ("space", "comment"):
                continue
            if kind == "open":
                raise _Incomplete
            if kind == "other":
                if match.group() == "\\":
                    raise refused(line, text[at : at + _EXCERPT], "a psql meta-command")
                raise malformed(line, f'unexpected "{match.group()}"')
            if match.group() == ";":
                return tokens, match.end()
            tokens.append((kind, match.group()))
        raise _Incomplete

    def _set(self, tokens: list[tuple[str, str]], text: str, line: int) -> None:
        words = [value for kind, value in tokens]
        if len(words) < 2 or tokens[1][0] != "ident":
            raise malformed(line, "a SET statement without a setting name")
        if len(words) < 4 or words[2].upper() not in ("=", "TO"):
            return  # e.g. SET SESSION AUTHORIZATION: nothing that changes how the rows read
        name, values = words[1].lower(), [literal(kind, value, self.conforming) for kind, value in tokens[3:]]
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
            raise refused(line, text, "a SELECT other than pg_catalog.set_config or setval")
        if words[1] == "set_config" and len(tokens) > 6 and literal(*tokens[3], self.conforming) == "search_path":
            self.search_path = [part.strip() for part in str(literal(*tokens[5], self.conforming)).split(",") if part]

    def _copy(
        self, tokens: list[tuple[str, str]], text: str, line: int
    ) -> tuple[str, tuple[int, ...] | None, int, int]:
        words = [value.upper() if kind == "ident" else value for kind, value in tokens]
        if "PROGRAM" in words:
            raise refused(line, text, "COPY ... PROGRAM, which runs a shell command")
        if "TO" in words:
            raise refused(line, text, "COPY ... TO, which writes a file")
        try:
            opened, close = words.index("("), words.index(")")
        except ValueError:
            raise malformed(line, "a COPY without its column list") from None
        if words[close + 1 :] != ["FROM", "STDIN"]:
            raise refused(line, text, "a COPY that does not read its rows from the dump (FROM stdin)")
        name = "".join(value for kind, value in tokens[1:opened])
        columns = "".join(value for kind, value in tokens[opened + 1 : close])
        table = self._table(name, line, text)
        return table, self._projection(table, columns, line), columns.count(",") + 1, line

    def _insert(self, text: str, head: re.Match[str], line: int, excerpt: str) -> tuple[list[Row], int]:
        table = self._table(head["table"], line, excerpt)
        projection = self._projection(table, head["columns"], line)
        width = head["columns"].count(",") + 1  # after _projection checked every column is one name
        pattern = VALUE[self.conforming]
        rows: list[Row] = []
        at = head.end()
        while True:
            opened = ROW_START.match(text, at)
            if opened is None:
                raise self._insert_problem(text, at, line, "a row of values in parentheses")
            at = opened.end()
            values: list[str | None] = []
            while True:
                match = pattern.match(text, at)
                if match is None:
                    raise self._insert_problem(text, at, line, "a value (a quoted text, a number or NULL)")
                at = match.end()
                values.append(row_value(match, self.conforming))
                if match["sep"] == ")":
                    break
            if len(values) != width:
                raise malformed(line, f"{len(values)} values for {width} columns")
            if projection is not None:
                rows.append(Row(table, line, tuple(values[index] if index >= 0 else None for index in projection)))
            ended = ROW_END.match(text, at)
            if ended is None:
                raise self._insert_problem(text, at, line, '"," or ";" after a row')
            at = ended.end()
            if ended.group(1) == ";":
                return rows, at

    def _insert_problem(self, text: str, at: int, line: int, expected: str) -> Exception:
        """Incomplete when the rest opens a quote the lines read so far do not close, else malformed."""
        self._tokens(text, line, at)  # raises _Incomplete for an open quote, or a precise complaint
        where = line + text.count("\n", 0, at)
        return malformed(where, f'expected {expected} at "{text[at : at + 30].strip()}"')

    def _table(self, name: str, line: int, text: str) -> str:
        parts = [identifier(part) for part in re.findall(IDENT, name)]
        if not 1 <= len(parts) <= 2:
            raise malformed(line, f'an unreadable table name "{name.strip()[:60]}"')
        schema = parts[0] if len(parts) == 2 else (self.search_path[0] if self.search_path else SCHEMA)
        if schema != SCHEMA:
            raise refused(line, text, f"rows for schema {schema}, outside CryoWeb's {SCHEMA}")
        return parts[-1]

    def _projection(self, table: str, columns: str, line: int) -> tuple[int, ...] | None:
        key = (table, columns)
        if key not in self._projections:
            names = [identifier(match.group(1)) for match in COLUMN.finditer(columns)]
            if len(names) != columns.count(",") + 1:
                raise malformed(line, f"an unreadable column list ({columns.strip()[:60]})")
            wanted = self.wanted.get(table)
            self._projections[key] = (
                None if wanted is None else tuple(names.index(name) if name in names else -1 for name in wanted)
            )
        return self._projections[key]


def _copy_row(text: str, copy: tuple[str, tuple[int, ...] | None, int, int], line: int) -> Row | None:
    table, projection, width, _start = copy
    fields = text.split("\t")
    if len(fields) != width:
        raise malformed(line, f"{len(fields)} tab-separated values in the COPY data of {table}, for {width} columns")
    if projection is None:
        return None
    return Row(table, line, tuple(copy_field(fields[index]) if index >= 0 else None for index in projection))
