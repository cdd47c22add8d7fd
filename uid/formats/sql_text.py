"""SQL and COPY text as pg_dump writes it: the token patterns, and literals turned back into values.

Shared by the CryoWeb dump reader; nothing here runs or interprets SQL, it
only says where a quoted value ends and what text it stands for.
"""

from __future__ import annotations

import re

IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
STRING = r"'[^']*(?:''[^']*)*'"
ESTRING = r"[Ee]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'"
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _lexer(strings: str) -> re.Pattern[str]:
    return re.compile(
        rf"""(?P<space>\s+)|(?P<comment>--[^\n]*)|(?P<estring>{ESTRING})|(?P<string>{strings})
        |(?P<ident>{IDENT})|(?P<number>{NUMBER})|(?P<op>[(),;.=])|(?P<open>[Ee]?'|")|(?P<other>.)""",
        re.S | re.X,
    )


# Standard conforming strings (pg_dump's default since 9.1) and the old backslash-escaping ones.
LEXERS = {True: _lexer(STRING), False: _lexer(ESTRING.removeprefix("[Ee]"))}
INSERT = re.compile(
    rf"INSERT\s+INTO\s+(?P<table>{IDENT}(?:\.{IDENT})?)\s*\((?P<columns>[^)]*)\)\s*"
    r"(?:OVERRIDING\s+(?:SYSTEM|USER)\s+VALUE\s+)?VALUES\s*",
    re.I,
)
VALUE = {
    conforming: re.compile(
        rf"\s*(?:(?P<string>{strings})|(?P<estring>{ESTRING})|(?P<null>NULL\b)|(?P<number>{NUMBER})"
        r"|(?P<bool>true\b|false\b))\s*(?P<sep>[,)])",
        re.I,
    )
    for conforming, strings in ((True, STRING), (False, ESTRING.removeprefix("[Ee]")))
}
ROW_START = re.compile(r"\s*\(")
ROW_END = re.compile(r"\s*([,;])")
COLUMN = re.compile(rf"\s*({IDENT})\s*(?:,|$)")
BACKSLASH = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))", re.S)
ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def copy_field(field: str) -> str | None:
    """One tab-separated field of a COPY row: `\\N` is NULL, and backslash escapes stand for their character."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    return BACKSLASH.sub(unescape, field)


def unescape(match: re.Match[str]) -> str:
    octal, hexa, char = match.groups()
    if octal:
        return chr(int(octal, 8))
    if hexa:
        return chr(int(hexa, 16))
    return ESCAPES.get(char, char)


def row_value(match: re.Match[str], conforming: bool) -> str | None:
    """The value a VALUE match stands for: text, None for NULL, a number or boolean as written."""
    text = match["string"]
    if text is not None:
        return text[1:-1].replace("''", "'") if conforming else literal("string", text, conforming)
    if match["null"] is not None:
        return None
    if match["number"] is not None:
        return match["number"]
    if match["estring"] is not None:
        return literal("estring", match["estring"], conforming)
    return match["bool"].lower()


def literal(kind: str, text: str, conforming: bool) -> str | None:
    """A token's value; backslashes escape in E'' strings, and in '' strings when strings are not conforming."""
    if kind == "null" or (kind == "ident" and text.upper() == "NULL"):
        return None
    if kind == "string" and conforming:
        return text[1:-1].replace("''", "'")
    if kind in ("string", "estring"):
        body = text[2:-1] if kind == "estring" else text[1:-1]
        return BACKSLASH.sub(unescape, body.replace("''", "'")) if "\\" in body else body.replace("''", "'")
    if kind == "bool":
        return text.lower()
    return text


def identifier(name: str) -> str:
    """A table or column name as PostgreSQL folds it: quoted exactly, unquoted in lower case."""
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


_ESCAPED_BODY = re.compile(r"[\\']")


class QuoteScanner:
    """Whether the lines of a statement fed so far end it: outside every quote, at a `;`.

    The statement reader parses a statement whole, so it must not be tried on
    every line that ends in `;` while a quoted value is still open: a quote
    holding thousands of `;` lines would be re-read from its start on each one.
    This follows the lexer's tokens and carries the open quote across lines,
    so each line is scanned once.
    """

    def __init__(self, *, conforming: bool) -> None:
        self._lexer = LEXERS[conforming]
        self._plain = "plain" if conforming else "escaping"
        self._quote: str | None = None  # "plain", "escaping" (backslashes escape) or "ident" while one is open
        self._empty = False  # nothing inside the open quote yet ("" followed by text is no identifier)
        self._last = ""  # the last significant token outside quotes
        self.stuck = False  # a quote the reader never reads as closed: the statement can only run to its end

    @property
    def complete(self) -> bool:
        return self._quote is None and not self.stuck and self._last == ";"

    def feed(self, text: str) -> None:
        at, e_end = 0, -1  # e_end: where the last token in this text ended
        while at < len(text) and not self.stuck:
            if self._quote is not None:
                at = self._close(text, at)
                continue
            for match in self._lexer.finditer(text, at):
                kind = match.lastgroup
                if kind == "open":
                    opened = match.group()
                    # An E'' string that closes on a later line lexes here as the name E and a quote.
                    escaped = len(opened) == 2 or (
                        opened == "'" and self._last in ("E", "e") and e_end == match.start()
                    )
                    self._quote = "ident" if opened == '"' else "escaping" if escaped else self._plain
                    self._empty, self._last, at = True, opened, match.end()
                    break
                if kind not in ("space", "comment"):
                    self._last, e_end = match.group(), match.end()
            else:
                return

    def _close(self, text: str, at: int) -> int:
        """The offset after the open quote's closing mark in `text`, or its length when the quote goes on."""
        mark = '"' if self._quote == "ident" else "'"
        while True:
            if self._quote == "escaping":
                found = _ESCAPED_BODY.search(text, at)
                end = found.start() if found is not None else -1
            else:
                end = text.find(mark, at)
            if end < 0:
                self._empty = self._empty and at >= len(text)
                return len(text)
            self._empty = self._empty and end == at
            if text[end] == "\\" or text.startswith(mark, end + 1):
                at, self._empty = end + 2, False  # an escaped character, or a doubled quote
                continue
            if self._quote == "ident" and self._empty:
                self.stuck = True
                return len(text)
            self._quote, self._last = None, mark
            return end + 1
