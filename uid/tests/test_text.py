"""Reading CSV text: a cell past the size limit is refused with a message that gives the limit."""

from __future__ import annotations

import pytest

from uid.formats.text import CELL_LIMIT, csv_rows
from uid.upload_checks import ImportFailed


def test_a_one_megabyte_cell_is_refused_with_the_real_cell_limit():
    text = "id,description\nA1,short\nA2," + "x" * 1_000_000 + "\n"

    with pytest.raises(ImportFailed) as failed:
        list(csv_rows(text, ","))

    message = str(failed.value)
    assert "Line 3" in message
    assert "128 KiB" in message
    assert f"{CELL_LIMIT:,}" in message
    assert "quotes are balanced" not in message


def test_a_cell_just_under_the_limit_is_read_whole():
    value = "y" * (CELL_LIMIT - 1)

    rows = list(csv_rows(f"id,description\nA1,{value}\n", ","))

    assert rows[1] == (2, ["A1", value])
