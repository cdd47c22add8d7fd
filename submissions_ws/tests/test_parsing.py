"""Client input parsing: only documented results or documented errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submissions_ws import close_codes
from submissions_ws.parsing import (
    FrameError,
    TokenBucket,
    parse_client_frame,
    parse_seq,
    parse_submission_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("0", None),
        ("-1", None),
        ("abc", None),
        ("", None),
        ("../", None),
        ("1" + "0" * 30, None),
        ("١٢", None),
        (None, None),
        ("9223372036854775807", 9223372036854775807),
    ],
)
def test_submission_ids(raw, expected):
    assert parse_submission_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("5", 5), (5, 5), ("-1", None), (-1, None), (True, None), ("x", None), (None, None), (1.5, None)],
)
def test_since_values(raw, expected):
    assert parse_seq(raw) == expected


def test_ping_and_resume_are_the_only_accepted_frames():
    assert parse_client_frame('{"type": "ping"}', None).kind == "ping"
    resume = parse_client_frame('{"type": "resume", "since": 4}', None)
    assert (resume.kind, resume.since) == ("resume", 4)
    assert parse_client_frame('{"type": "resume", "since": "soon"}', None).since is None


@pytest.mark.parametrize(
    ("text", "data", "code"),
    [
        (None, b"\x00", close_codes.UNSUPPORTED_DATA),
        ("{", None, close_codes.BAD_FRAME),
        ('"ping"', None, close_codes.BAD_FRAME),
        ('{"type": "status"}', None, close_codes.BAD_FRAME),
        ("[" * 3000 + "]" * 3000, None, close_codes.MESSAGE_TOO_BIG),
        ("[" * 2000 + "]" * 2000, None, close_codes.BAD_FRAME),
        ('{"type": "ping", "x": "' + "é" * 2100 + '"}', None, close_codes.MESSAGE_TOO_BIG),
    ],
)
def test_bad_frames_raise_with_their_close_code(text, data, code):
    with pytest.raises(FrameError) as error:
        parse_client_frame(text, data)
    assert error.value.code == code


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=5000),
        st.builds(
            json.dumps,
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                lambda children: (
                    st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(["type", "since", "x"]), children, max_size=3)
                ),
                max_leaves=20,
            ),
        ),
    )
)
def test_fuzzed_frames_only_parse_or_raise_frame_error(text):
    outcome: object
    try:
        outcome = parse_client_frame(text, None)
    except FrameError as error:
        outcome = error
    if isinstance(outcome, FrameError):
        assert outcome.code in {close_codes.BAD_FRAME, close_codes.MESSAGE_TOO_BIG}
    else:
        assert outcome.kind in {"ping", "resume"}
        assert outcome.since is None or outcome.since >= 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_fuzzed_ids_are_none_or_positive(raw):
    value = parse_submission_id(raw)
    assert value is None or 0 < value < 2**63


def test_token_bucket_allows_a_burst_then_refuses():
    bucket = TokenBucket(rate=1, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
