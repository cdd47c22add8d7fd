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
