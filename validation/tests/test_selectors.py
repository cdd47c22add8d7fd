from __future__ import annotations

import pytest

from uid.models import Animal, Sample, Submission
from validation.selectors import known_elsewhere


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
