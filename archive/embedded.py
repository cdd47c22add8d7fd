"""An archive inside the site, for the embedded default (no BIOSAMPLES_URL).

It answers like BioSamples, without a network: a document BioSamples would
refuse is refused with the same messages (archive.shape), and a new sample
gets a SAMEA accession at once. So the submission phase runs the very same
code whichever archive is configured.
"""

from __future__ import annotations

import secrets
from typing import Any

from archive.errors import DocumentRefused
from archive.shape import document_problems
from uid.models import Animal, Sample

PREFIX = "SAMEA"


class EmbeddedArchive:
    def __init__(self) -> None:
        self._created: set[str] = set()

    def __enter__(self) -> EmbeddedArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._created.clear()

    def create(self, document: dict[str, Any]) -> str:
        self._check(document, accession=None)
        accession = self._new_accession()
        self._created.add(accession)
        return accession

    def update(self, accession: str, document: dict[str, Any]) -> None:
        self._check(document, accession=accession)

    def exists(self, accession: str) -> bool:
        return (
            accession in self._created
            or Animal.objects.filter(accession=accession).exists()
            or Sample.objects.filter(accession=accession).exists()
        )

    def _check(self, document: dict[str, Any], *, accession: str | None) -> None:
        problems = document_problems(document, accession=accession, exists=self.exists)
        if problems:
            raise DocumentRefused([f"{p['dataPath']}: {error}" for p in problems for error in p["errors"]])

    def _new_accession(self) -> str:
        # Random rather than counted: two server processes must not hand out the same one.
        while True:
            accession = f"{PREFIX}{secrets.randbelow(9 * 10**9) + 10**9}"
            if not self.exists(accession):
                return accession
