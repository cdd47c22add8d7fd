from __future__ import annotations

from notifications.text import SHORTENED_NOTE, truncate


def test_short_text_is_kept_whole():
    assert truncate("Import failed.", 20) == "Import failed."
    assert truncate("x" * 20, 20) == "x" * 20


def test_long_text_is_cut_before_the_word_that_crosses_the_limit():
    assert truncate("alpha beta gamma", 13) == f"alpha beta{SHORTENED_NOTE}"


def test_a_cut_falling_exactly_between_words_keeps_the_last_whole_word():
    assert truncate("alpha beta gamma", 10) == f"alpha beta{SHORTENED_NOTE}"


def test_newlines_count_as_word_boundaries():
    assert truncate("alpha\nbeta gamma", 8) == f"alpha{SHORTENED_NOTE}"


def test_one_huge_token_is_cut_at_the_limit():
    assert truncate("x" * 50, 10) == f"{'x' * 10}{SHORTENED_NOTE}"
