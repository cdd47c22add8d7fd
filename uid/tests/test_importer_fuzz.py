"""Fuzzing the importer: whatever the file holds, it imports or says why, and never half-imports.

Any exception other than ImportFailed would reach the job as a crash with a
generic "stopped unexpectedly" message instead of telling the scientist
what to fix, so it fails these tests.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uid.importer import COLUMNS, ImportFailed, ImportResult, import_records
from uid.models import Animal, Sample, Submission

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repository; failures print their example
    # Each example makes its own submission, so the function-scoped db fixture is fine to share.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Cells that exercise the parser: delimiters, quotes, line breaks, BOMs, long and non-ASCII text.
cells = st.one_of(
    st.sampled_from(["animal", "sample", "ANIMAL", "plant", "", " ", "COW1", "S1", '"', '""', "'", "\\"]),
    st.sampled_from([",", ";", "\t", "\n", "\r", "\r\n", '"a,b"', '"open', 'close"', "\ufeff", "x" * 300]),
    # Past csv's field size limit (131,072 characters), quoted or not.
    st.sampled_from(['"' + "x" * 140_000, "y" * 140_000]),
    st.text(max_size=20),
)
header_names = st.one_of(st.sampled_from(COLUMNS), st.text(max_size=12))


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """CSV-ish text: a real or random header, random rows, random delimiter, sometimes cut short."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = list(COLUMNS) if draw(st.booleans()) else draw(st.lists(header_names, max_size=20))
    rows = draw(st.lists(st.lists(cells, max_size=len(COLUMNS) + 3), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(row) for row in [header, *rows])
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


@st.composite
def encoded(draw: st.DrawFn) -> bytes:
    """CSV-ish text in an encoding the importer may or may not accept."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"]))
    return draw(csv_texts()).encode(encoding, errors="replace")


def owner() -> object:
    user, _ = get_user_model().objects.get_or_create(username="fuzzer")
    return user


def check_import(data: bytes) -> None:
    """Import `data` into a fresh submission; only a result or ImportFailed (with nothing stored) is allowed."""
    submission = Submission.objects.create(title="Fuzz", owner=owner())
    result: ImportResult | None = None
    message = ""
    try:
        result = import_records(submission=submission, file=io.BytesIO(data))
    except ImportFailed as failed:
        message = failed.message
    # Any other exception propagates and fails the test with the example that caused it.
    animals = Animal.objects.filter(submission=submission).count()
    samples = Sample.objects.filter(submission=submission).count()
    # Hypothesis runs every example inside one test's transaction: remove this one's rows,
    # so one example's ids never clash with the next's.
    submission.delete()
    if result is None:
        assert message.strip()
        assert (animals, samples) == (0, 0)
    else:
        assert isinstance(result, ImportResult)
        assert (animals, samples) == (result.animals, result.samples)


@pytest.mark.django_db
@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_import_or_fail_cleanly(data: bytes) -> None:
    check_import(data)


@pytest.mark.django_db
@FUZZ
@given(data=encoded())
def test_csv_like_text_imports_or_fails_cleanly(data: bytes) -> None:
    check_import(data)


@pytest.mark.django_db
@FUZZ
@given(prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"%PDF"]), text=csv_texts())
def test_csv_like_text_behind_a_bom_or_magic_bytes_imports_or_fails_cleanly(prefix: bytes, text: str) -> None:
    check_import(prefix + text.encode("utf-8", errors="surrogatepass"))
