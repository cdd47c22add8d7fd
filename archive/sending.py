"""Submitting a submission's records to BioSamples, record by record, resumably.

Records go in the order of the graph: parents before their children, then
animals before their samples, because a relationship's target must already
be an accession. Each accession is stored on its record the moment
BioSamples returns it, in its own transaction, so a crash, a restart or a
pause loses nothing: the next Submit reuses every accession already
assigned (never creating a sample twice), sends with PUT only the
accessioned records whose document changed since, and POSTs the rest.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from archive.biosamples import Archive
from archive.documents import animal_document, digest, sample_document, submission_characteristics
from archive.errors import DocumentRefused
from archive.models import ArchivedDocument
from uid.models import Animal, Sample, Submission

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class Tally:
    """What one Submit did; `refused` is {record type: {record pk: [message, ...]}}."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: dict[str, dict[int, list[str]]] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def refused_count(self) -> int:
        return sum(len(by_record) for by_record in self.refused.values())

    def refuse(self, record_type: str, pk: int, messages: list[str]) -> None:
        self.refused.setdefault(record_type, {})[pk] = messages


def animals_in_graph_order(animals: Iterable[Animal]) -> list[Animal]:
    """Parents before children (Kahn's algorithm), otherwise in file order.

    The order is that of reading the file again and again, taking each
    animal whose parents are taken: an animal goes in the pass after its
    latest parent's if that parent comes after it in the file, else in the
    same pass. Kahn's algorithm (a queue of animals whose parents are all
    placed, in file order) gives each animal its pass in linear time, where
    rescanning the file for ready animals was quadratic.
    Animals on an ancestry loop (validation refuses those) come last; their
    parents never get an accession first, so they are reported, not sent.
    """
    ordered_input = list(animals)
    position = {animal.name: at for at, animal in enumerate(ordered_input)}
    unplaced_parents = [0] * len(ordered_input)
    children: list[list[int]] = [[] for _ in ordered_input]
    for at, animal in enumerate(ordered_input):
        for parent in {animal.father_name, animal.mother_name}:
            if parent in position and parent != animal.name:
                unplaced_parents[at] += 1
                children[position[parent]].append(at)
    passes = [0] * len(ordered_input)
    queue = deque(at for at, count in enumerate(unplaced_parents) if count == 0)
    placed: list[int] = []
    while queue:
        at = queue.popleft()
        placed.append(at)
        for child in children[at]:
            passes[child] = max(passes[child], passes[at] + (1 if at > child else 0))
            unplaced_parents[child] -= 1
            if unplaced_parents[child] == 0:
                queue.append(child)
    placed.sort(key=lambda at: (passes[at], at))
    on_loops = [at for at, count in enumerate(unplaced_parents) if count]
    return [ordered_input[at] for at in placed + on_loops]


def send_records(*, submission: Submission, archive: Archive, progress: Progress, tally: Tally) -> Tally:
    """Send what BioSamples does not hold yet, or holds in an older version.

    ArchiveUnavailable and ArchiveCredentialsRefused propagate: the records
    sent so far keep their accessions, and `tally` says how far it got.
    """
    animals = animals_in_graph_order(Animal.objects.filter(submission=submission).order_by("row", "pk"))
    samples = list(Sample.objects.filter(submission=submission).select_related("animal").order_by("row", "pk"))
    stored = {(row.record_type, row.accession): row for row in ArchivedDocument.objects.filter(submission=submission)}
    shared = submission_characteristics(submission)
    tally.total = len(animals) + len(samples)
    by_name = {animal.name: animal for animal in animals}
    progress(0, tally.total)
    for animal in animals:
        parents = [by_name[p] for p in (animal.father_name, animal.mother_name) if p in by_name and p != animal.name]
        missing = [parent.name for parent in parents if not parent.accession]
        if missing:
            tally.refuse(ArchivedDocument.ANIMAL, animal.pk, [_not_sent("parent", missing)])
        else:
            record = stored.get((ArchivedDocument.ANIMAL, animal.accession))
            release = record.release if record else _now()

            def build(accession: str, animal=animal, parents=parents, release=release) -> dict:
                return animal_document(
                    animal, shared=shared, release=release, parents=[p.accession for p in parents], accession=accession
                )

            _send(submission, archive, animal, ArchivedDocument.ANIMAL, record, release, build, tally)
        progress(tally.done + tally.refused_count, tally.total)
    for sample in samples:
        animal = by_name.get(sample.animal.name) if sample.animal_id else None
        if animal is None or not animal.accession:
            name = animal.name if animal else sample.animal_name or "(none)"
            tally.refuse(ArchivedDocument.SAMPLE, sample.pk, [_not_sent("animal", [name])])
        else:
            record = stored.get((ArchivedDocument.SAMPLE, sample.accession))
            release = record.release if record else _now()

            def build(accession: str, sample=sample, animal=animal, release=release) -> dict:
                return sample_document(
                    sample,
                    shared=shared,
                    release=release,
                    animal=animal,
                    animal_accession=animal.accession,
                    accession=accession,
                )

            _send(submission, archive, sample, ArchivedDocument.SAMPLE, record, release, build, tally)
        progress(tally.done + tally.refused_count, tally.total)
    return tally


def _send(
    submission: Submission,
    archive: Archive,
    record: Animal | Sample,
    record_type: str,
    stored: ArchivedDocument | None,
    release: str,
    build: Callable[[str], dict],
    tally: Tally,
) -> None:
    document = build(record.accession)
    fingerprint = digest(document)
    try:
        if not record.accession:
            record.accession = archive.create(document)
            tally.created += 1
        elif stored is not None and stored.digest == fingerprint and stored.accession == record.accession:
            tally.unchanged += 1
            return
        else:
            archive.update(record.accession, document)
            tally.updated += 1
    except DocumentRefused as refusal:
        tally.refuse(record_type, record.pk, refusal.messages)
        return
    _remember(submission, record, record_type, release, fingerprint)


def _remember(
    submission: Submission, record: Animal | Sample, record_type: str, release: str, fingerprint: str
) -> None:
    """Store the accession now, committed, before the next request: this is what a resume reads."""
    with transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(accession=record.accession)
        ArchivedDocument.objects.update_or_create(
            submission=submission,
            accession=record.accession,
            defaults={"record_type": record_type, "release": release, "digest": fingerprint},
        )


def _not_sent(what: str, names: list[str]) -> str:
    listing = ", ".join(f'"{name}"' for name in names)
    return (
        f"Not sent: its {what} {listing} has no accession yet (see that record's messages); "
        "it is sent once its " + what + " is in the archive."
    )


def _now() -> str:
    return timezone.now().isoformat().replace("+00:00", "Z")
