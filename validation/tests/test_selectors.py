from __future__ import annotations

import pytest

from uid.models import Animal, Sample, Submission
from validation.selectors import known_elsewhere, sampled_animals_elsewhere


@pytest.mark.django_db
def test_only_the_owners_other_submissions_with_shared_alternative_ids_are_returned(submission, user, other_user):
    """Matches come from the owner's other submissions, never from this one or from other people."""
    Animal.objects.create(submission=submission, name="COW1", alternative_id="EAR-1", species="Bos taurus")
    Animal.objects.create(submission=submission, name="COW2", alternative_id="EAR-2", species="Bos taurus")
    Sample.objects.create(submission=submission, name="S1", alternative_id="TUBE-1")
    earlier = Submission.objects.create(title="Herd 2024", owner=user)
    Animal.objects.create(submission=earlier, name="OLD1", alternative_id="EAR-1", species="bos taurus")
    Animal.objects.create(submission=earlier, name="OLD3", alternative_id="EAR-3", species="Bos taurus")
    Sample.objects.create(submission=earlier, name="OLDS", alternative_id="TUBE-1")
    theirs = Submission.objects.create(title="Not yours", owner=other_user)
    Animal.objects.create(submission=theirs, name="X", alternative_id="EAR-2", species="Bos taurus")

    animals, samples = known_elsewhere(submission=submission)

    assert animals == {("ear-1", "Bos taurus"): '"OLD1" of submission "Herd 2024"'}
    assert samples == {"tube-1": '"OLDS" of submission "Herd 2024"'}


@pytest.mark.django_db
def test_animals_sampled_here_but_kept_in_the_owners_other_submissions_are_found(submission, user, other_user):
    """Only ids missing here, found in the owner's own other submissions; someone else's herd stays invisible."""
    Animal.objects.create(submission=submission, name="COW1", species="Bos taurus")
    for name, animal in (("S1", "COW1"), ("S2", "COW9"), ("S3", "BULL7"), ("S4", "GHOST")):
        Sample.objects.create(submission=submission, name=name, animal_name=animal)
    earlier = Submission.objects.create(title="Herd 2024", owner=user)
    Animal.objects.create(submission=earlier, name="COW9", species="Bos taurus")
    Animal.objects.create(submission=earlier, name="COW1", species="Bos taurus")
    theirs = Submission.objects.create(title="Not yours", owner=other_user)
    Animal.objects.create(submission=theirs, name="BULL7", species="Bos taurus")

    assert sampled_animals_elsewhere(submission=submission) == {"COW9": 'submission "Herd 2024"'}
