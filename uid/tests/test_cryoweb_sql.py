"""The dump reader, fuzzed: whatever the bytes, it reads rows or refuses with a message, never anything else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from uid.formats.cryoweb import WANTED
from uid.formats.cryoweb_sql import read_rows
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
