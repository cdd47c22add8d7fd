"""The dump reader, fuzzed: whatever the bytes, it reads rows or refuses with a message, never anything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uid.formats.cryoweb import WANTED
from uid.formats.cryoweb_sql import STATEMENT_MAX_CHARS, read_rows
from uid.tests.bounded import outcome_within
from uid.tests.test_cryoweb import INSERT_DUMP, copy_dump
from uid.upload_checks import ImportFailed

# Pieces of SQL and of COPY data that exercise the tokenizer: quotes, escapes, terminators, meta-commands.
pieces = st.one_of(
    st.sampled_from(["'", "''", "E'\\'", '"', ";", ";\n", "\n", "\t", "\\", "\\.\n", "\\N", "--", "/*", "$$", "("]),
    st.sampled_from(
        [
            "INSERT INTO apiis_admin.codes (db_code) VALUES (",
            "COPY apiis_admin.unit (db_unit) FROM stdin;\n",
            "SET standard_conforming_strings = off;\n",
            "SELECT pg_catalog.set_config('search_path'",
            ")",
            "SELECT pg_catalog.setval('s', 1, false);\n",
            "COPY (a) FROM stdin;",
            "-- PostgreSQL database dump complete\n",
        ]
    ),
    st.text(max_size=12),
)
FUZZ = settings(max_examples=300, deadline=None, database=None)


def read_all(text: str) -> None:
    """Reads every row; a refusal must say something (any other exception fails the test)."""
    message = "read"
    try:
        for _row in read_rows(text.encode("utf-8", errors="surrogatepass"), WANTED):
            pass
    except ImportFailed as refused:
        message = refused.message
    assert message


@FUZZ
@given(st.lists(pieces, max_size=30))
def test_any_text_reads_or_is_refused_with_a_message(parts):
    read_all("".join(parts))


@FUZZ
@given(st.integers(min_value=0), st.lists(pieces, max_size=5))
def test_a_real_dump_cut_or_spliced_anywhere_reads_or_is_refused(at, parts):
    for dump in (INSERT_DUMP, copy_dump()):
        cut = at % (len(dump) + 1)
        read_all(dump[:cut] + "".join(parts) + dump[cut:])


END = "\n--\n-- PostgreSQL database dump complete\n--\n"


def rows(text: str, wanted: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, int, tuple]]:
    return [tuple(row) for row in read_rows((text + END).encode(), wanted or {"codes": ("db_code", "ext_code")})]


def test_insert_literals_escapes_several_rows_and_identity_columns_are_read_as_pg_dump_writes_them():
    text = (
        "INSERT INTO apiis_admin.codes (db_code, ext_code) VALUES (1, 'it''s; a, test'), (2, NULL),\n"
        "(3, E'tab\\there \\'q\\' \\\\ back');\n"
        'INSERT INTO apiis_admin."codes" ("db_code", ext_code) OVERRIDING SYSTEM VALUE VALUES (-4.5e1, \'\');\n'
    )

    assert rows(text) == [
        ("codes", 1, ("1", "it's; a, test")),
        ("codes", 1, ("2", None)),
        ("codes", 1, ("3", "tab\there 'q' \\ back")),
        ("codes", 3, ("-4.5e1", "")),
    ]


def test_old_dumps_without_standard_conforming_strings_escape_with_backslashes():
    text = "SET standard_conforming_strings = off;\nINSERT INTO codes (db_code, ext_code) VALUES (1, 'a\\'b\\\\c');\n"

    assert rows(text) == [("codes", 2, ("1", "a'b\\c"))]


def test_copy_escapes_nulls_and_columns_absent_from_the_dump():
    text = "COPY apiis_admin.codes (ext_code) FROM stdin;\na\\tb\\nc\\\\d\\101\n\\N\n\\.\n"

    assert rows(text) == [("codes", 2, (None, "a\tb\nc\\dA")), ("codes", 3, (None, None))]


def test_tables_the_import_does_not_use_are_read_and_dropped():
    text = "COPY apiis_admin.event (a, b) FROM stdin;\n1\t2\n\\.\nINSERT INTO apiis_admin.ar_users (a) VALUES (1);\n"

    assert rows(text) == []


def test_statements_after_a_comment_on_a_statements_line_are_read():
    text = "SET a = 1; -- a note\nINSERT INTO apiis_admin.codes (db_code, ext_code) VALUES (1, 'x');\n"

    assert rows(text) == [("codes", 2, ("1", "x"))]


def test_many_statements_on_one_line_are_all_read():
    text = "SET a = 1; " * 50_000 + "INSERT INTO codes (db_code, ext_code) VALUES (1, 'x'); SET b = 2;\n"

    assert rows(text) == [("codes", 1, ("1", "x"))]


@pytest.mark.parametrize("line", [";\n", "', ';\n"], ids=["semicolons in a quote", "quotes closed and reopened"])
def test_an_unclosed_quote_across_a_mib_of_statement_ends_is_refused_quickly_at_the_real_cap(line):
    """Each line ending in ';' inside the quote used to re-read the statement from its start: hours at 1 MiB."""
    head = "SET client_encoding = 'UTF8';\nINSERT INTO apiis_admin.animal (a) VALUES ('\n"
    data = (head + line * (STATEMENT_MAX_CHARS // len(line) + 10) + END).encode()

    outcome = outcome_within(lambda data: list(read_rows(data, WANTED)), data, 20)

    assert outcome.startswith(
        "The statement that starts on line 2 is longer than 1024 KB: a quote is probably never closed"
    ), outcome


def test_an_e_string_with_escaped_quotes_across_lines_is_read():
    text = "INSERT INTO codes (db_code, ext_code) VALUES (1, E'a\n\\'b;\n\\'c');\n"

    assert rows(text) == [("codes", 1, ("1", "a\n'b;\n'c"))]
