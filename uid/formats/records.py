"""Collecting one record type's rows while a file is read, with what is wrong with them.

Shared by the .xlsx and CRB-Anim formats, so both refuse missing and
repeated ids and over-long values with the same words, naming where in the
file each problem sits, and report every problem of the file at once.
"""

from __future__ import annotations

from uid.formats import Row
from uid.models import Animal, Sample
from uid.upload_checks import listing


def clean(value: object) -> str:
    """A cell as stored text: None and `\\N` (a database dump's NULL) are empty."""
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text == "\\N" else text


class RecordRows:
    """Rows of one record type; `fields` are model fields, the first one is "name" (the id)."""

    def __init__(self, model: type[Animal] | type[Sample], fields: tuple[str, ...], *, kind: str, place: str) -> None:
        assert fields[0] == "name"
        self.fields = fields
        self.kind = kind  # "animal" or "sample", as the messages say it
        self.place = place  # how a position is written, e.g. 'sheet "animal" row' or "line"
        self.rows: list[Row] = []
        self.lines: dict[str, int] = {}
        self._repeats: dict[str, list[int]] = {}
        self._no_id: list[str] = []
        self._too_long: list[str] = []
        meta = model._meta
        self._limits = [
            (at, name, meta.get_field(name).max_length)
            for at, name in enumerate(fields)
            if getattr(meta.get_field(name), "max_length", None)
        ]

    def add(self, line: int, values: tuple[str, ...], columns: tuple[str, ...]) -> None:
        """Keep a row; `columns` name each value as the file does, for messages."""
        name = values[0]
        if not name:
            self._no_id.append(f"{self.place} {line}")
            return
        if self.lines.setdefault(name, line) != line:
            self._repeats.setdefault(name, []).append(line)
        self._too_long += [
            f"{self.place} {line} ({columns[at]}, more than {limit} characters)"
            for at, field, limit in self._limits
            if len(values[at]) > limit
        ]
        self.rows.append((line, values))

    def problems(self) -> list[str]:
        found = []
        if self._no_id:
            found.append(f"No {self.kind} id on {listing(self._no_id)}. Give every {self.kind} an id.")
        if self._repeats:
            repeats = [
                f'"{name}" on {self.place}s {", ".join(map(str, [self.lines[name], *lines]))}'
                for name, lines in self._repeats.items()
            ]
            found.append(f"Duplicate {self.kind} ids: {listing(repeats, sep='; ')}. Each {self.kind} needs its own id.")
        if self._too_long:
            found.append(f"Values too long on {listing(self._too_long)}. Shorten them.")
        return found
