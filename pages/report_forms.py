"""The record edit form, built from the field table so it offers exactly the validated fields."""

from __future__ import annotations

from django import forms

from pages.record_editing import MODELS, editable_fields
from validation.fields import MANDATORY, ONE_OF, RECOMMENDED

LEVEL_NOTES = {MANDATORY: "Mandatory.", ONE_OF: "Mandatory unless the other is given.", RECOMMENDED: "Recommended."}


def record_form_class(record_type: str) -> type[forms.Form]:
    """A form with one text field per editable field of `record_type`.

    Nothing is required here: an incomplete record may be saved, and
    validation then says what is missing, in the same words as for a file.
    """
    model = MODELS[record_type]
    fields = {}
    for field in editable_fields(record_type):
        model_field = model._meta.get_field(field.name)
        note = " ".join(part for part in (LEVEL_NOTES.get(field.level, ""), field.help) if part)
        fields[field.name] = forms.CharField(
            label=field.column,
            required=False,
            max_length=getattr(model_field, "max_length", None),
            help_text=note,
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )
    return type(f"{record_type.capitalize()}EditForm", (forms.Form,), fields)
