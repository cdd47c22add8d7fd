"""Sizes as the messages about limits write them."""

from __future__ import annotations

MEGABYTE = 1024 * 1024


def megabytes(size: int) -> str:
    """`size` in MB (MiB, as `filesizeformat` counts) with at most one decimal.

    Tiny limits (tests) keep enough digits not to read as 0 MB.
    """
    value = size / MEGABYTE
    text = f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}" if text == "0" and size else text
