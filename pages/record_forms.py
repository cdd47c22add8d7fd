"""Forms of the record actions on the detail page: replace the data file, delete records by id."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from pages.record_actions import ANIMALS, SAMPLES, parse_ids
from pages.submission_forms import FILE_ACCEPT, BootstrapFormMixin, FormatCheckMixin, check_upload, format_field


class ReloadForm(FormatCheckMixin, BootstrapFormMixin, forms.Form):
    data_file = forms.FileField(
        label="New data file",
        help_text="Replaces every animal and sample of this submission once it is imported.",
        widget=forms.FileInput(attrs={"accept": FILE_ACCEPT}),
    )
    data_format = format_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_data_file(self) -> UploadedFile | None:
        return check_upload(self.cleaned_data.get("data_file"))


class DeleteRecordsForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Delete", choices=[(ANIMALS, "Animals (and their samples)"), (SAMPLES, "Samples")])
    ids = forms.CharField(
        label="Ids",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "One id per line"}),
        help_text="One per line, or separated by commas. Nothing is deleted if any id is unknown.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_ids(self) -> list[str]:
        ids = parse_ids(self.cleaned_data["ids"])
        if not ids:
            raise forms.ValidationError("Paste at least one id.")
        return ids
