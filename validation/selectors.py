"""Read-side queries of validation: what the owner already has elsewhere, and the submission's attributes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from uid import vocabularies as vocab
from uid.importer import detect_format
from uid.models import Animal, Sample, Submission
from validation.attributes import submission_values
from validation.context import species_key

# Enough for any submission, few enough that a pathological owner cannot make validation crawl.
KNOWN_LIMIT = 200_000


def known_elsewhere(*, submission: Submission) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The owner's animals and samples in other submissions sharing an alternative_id with this one.

    Keys are as `build_context` expects: (normalised alternative_id, species
    key) for animals and the normalised alternative_id for samples; values
    say which record and submission, for the duplicate warning. The database
    matches alternative ids exactly, via a subquery, so only candidates
    travel; case and spacing are then compared as everywhere else.
    """
    animals: dict[tuple[str, str], str] = {}
    samples: dict[str, str] = {}
    for model, target in ((Animal, animals), (Sample, samples)):
        own = model.objects.filter(submission=submission).exclude(alternative_id="").values("alternative_id")
        fields = ("alternative_id", "name", "submission__title") + (("species",) if model is Animal else ())
        others = (
            model.objects.filter(submission__owner_id=submission.owner_id, alternative_id__in=Subquery(own))
            .exclude(submission=submission)
            .order_by("submission_id", "pk")
            .values_list(*fields)[:KNOWN_LIMIT]
        )
        for alternative_id, name, title, *species in others:
            where = f'"{name}" of submission "{title}"'
            if model is Animal:
                target.setdefault((vocab.normalise(alternative_id), species_key(species[0])), where)
            else:
                target.setdefault(vocab.normalise(alternative_id), where)
    return animals, samples


def sampled_animals_elsewhere(*, submission: Submission) -> dict[str, str]:
    """Animal ids that samples of this submission name, missing here but present in the owner's other submissions.

    Maps each such id to where it is ('submission "Herd 2024"'), so the
    sample's Error can say why the animal is not found instead of implying
    a typo: a sample is sent to the archive together with its animal.
    """
    # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join, whereas NOT IN over 100,000
    # names that overflow work_mem is rechecked row by row.
    here = Animal.objects.filter(submission=submission, name=OuterRef("animal_name"))
    missing = (
        Sample.objects.filter(submission=submission).exclude(animal_name="").filter(~Exists(here)).values("animal_name")
    )
    others = (
        Animal.objects.filter(submission__owner_id=submission.owner_id, name__in=Subquery(missing))
        .exclude(submission=submission)
        .order_by("submission_id", "pk")
        .values_list("name", "submission__title")[:KNOWN_LIMIT]
    )
    found: dict[str, str] = {}
    for name, title in others:
        found.setdefault(name, f'submission "{title}"')
    return found


def submission_attributes(*, submission: Submission) -> dict[str, list[str]]:
    """The submission-level IMAGE attributes (Project, people, gene bank, data source) of `submission`."""
    return submission_values(
        title=submission.title,
        description=submission.description,
        project=submission.project,
        publication_doi=submission.publication_doi,
        gene_bank_name=submission.gene_bank_name,
        gene_bank_country=submission.gene_bank_country,
        contacts=submission.contacts,
        owner=submission.owner,
        data_source_type=data_source_type(submission),
        # InjectTool asks for it on its form ("the dump date or the version"); the upload's date is the dump's.
        data_source_version=timezone.localdate(submission.created).isoformat() if submission.created else "",
    )


def data_source_type(submission: Submission) -> str:
    """IMAGE's data source type of the uploaded file: CRB-Anim, CryoWeb, or Template (the site's templates).

    Told from the content as the importer tells it, from the file's first bytes.
    """
    try:
        with submission.uploaded_file.open("rb") as handle:
            head = handle.read(4096)
    except (ValueError, OSError):
        return "Template"
    name = detect_format(head).lower()
    if "crb" in name:
        return "CRB-Anim"
    if "cryo" in name:
        return "CryoWeb"
    return "Template"
