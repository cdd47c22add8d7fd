"""A row read in plain SQL comes back as the ORM reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from common.plain_sql import fetch_row

pytestmark = pytest.mark.django_db


def test_a_row_has_the_orms_values_and_builds_the_same_instance():
    model = get_user_model()
    saved = model.objects.create_user(username="ada", password="ada-password", last_login=timezone.now())
    fields = model._meta.concrete_fields

    values = fetch_row(model, fields, [(model._meta.pk, "=", saved.pk)])
    built = model.from_db("default", [field.attname for field in fields], values)

    read = model.objects.get(pk=saved.pk)
    assert [getattr(built, field.attname) for field in fields] == [getattr(read, field.attname) for field in fields]
    assert built.is_active is True  # SQLite's 1, converted
    assert built.last_login == read.last_login  # and its text


def test_every_condition_must_hold():
    now = timezone.now()
    Session.objects.create(session_key="live", session_data="a", expire_date=now + timedelta(hours=1))
    Session.objects.create(session_key="over", session_data="b", expire_date=now - timedelta(hours=1))
    meta = Session._meta
    data, key, expiry = meta.get_field("session_data"), meta.pk, meta.get_field("expire_date")

    assert fetch_row(Session, [data], [(key, "=", "live"), (expiry, ">", now)]) == ["a"]
    assert fetch_row(Session, [data], [(key, "=", "over"), (expiry, ">", now)]) is None
    assert fetch_row(Session, [data], [(key, "=", "missing")]) is None


def test_a_value_is_prepared_as_its_field_stores_it():
    # An aware datetime in another zone compares as the UTC instant the row stores, not as its text.
    in_an_hour = timezone.now() + timedelta(hours=1)
    Session.objects.create(session_key="live", session_data="a", expire_date=in_an_hour)
    meta = Session._meta
    now_east = timezone.now().astimezone(timezone.get_fixed_timezone(300))

    assert fetch_row(Session, [meta.get_field("session_data")], [(meta.get_field("expire_date"), ">", now_east)]) == [
        "a"
    ]


def test_only_comparisons_and_the_models_own_columns_are_taken():
    meta = Session._meta
    with pytest.raises(ValueError, match="compares with"):
        fetch_row(Session, [meta.pk], [(meta.pk, "= 'x' OR 1=1 --", "y")])
    with pytest.raises(ValueError, match="alone"):
        fetch_row(Session, [get_user_model()._meta.pk], [(meta.pk, "=", "y")])
