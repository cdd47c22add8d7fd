"""Forms for creating and editing a submission.

The data file is a plain form field, not the model's `uploaded_file`, so the
view decides when a new file is stored: only together with starting the
import that reads it. The form refuses what it can tell at upload time (name,
size, first bytes) so the scientist sees it at once on the page; the import
job checks the whole file again and reports the rest in the notification.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from uid.formats.detection import AUTO, FORMATS, HEAD_BYTES, mismatch
from uid.models import Submission
from uid.upload_checks import extension_problem, upload_content_problem

# A hint for the browser's file picker only; the checks below decide.
FILE_ACCEPT = (
    ".csv,.tsv,.txt,.xlsx,.sql,text/csv,text/tab-separated-values,text/plain,application/sql,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class BootstrapFormMixin:
    """Give widgets Bootstrap classes, and mark invalid ones after cleaning.

    Templates then render plain `{{ field }}` and Bootstrap shows the error
    styling, without a template-tag dependency.
    """

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def format_choices() -> list[tuple[str, str]]:
    """ "Recognise it" first, then every import format the detection registry knows."""
    return [
        (AUTO, "Recognise it from the content"),
        *((module.NAME, module.LABEL[0].upper() + module.LABEL[1:]) for module in FORMATS),
    ]


def format_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Format",
        choices=format_choices,
        required=False,
        initial=AUTO,
        help_text="Optional: the site tells the formats apart by their content.",
    )


def check_format(upload: UploadedFile | None, chosen: str) -> None:
    """Refuse a file that looks like another format than the one chosen, or like none, saying what it looks like."""
    if upload is None:
        return
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    problem = mismatch(head, chosen or AUTO)
    if problem is not None:
        raise forms.ValidationError(problem, code="file_format")


def check_upload(upload: UploadedFile | None) -> UploadedFile | None:
    """Refuse a data file by name, then size, then its first bytes.

    The name is checked first and alone for other workbook formats. An
    .xlsx (possibly a zip bomb) is judged by its ZIP directory, never
    unzipped. Only the first KB and that directory are read, and the file is
    rewound, so storing it afterwards stores all of it. Settings are read at
    call time so deployments (and tests) can change the limit.
    """
    if upload is None:
        return None
    problem = extension_problem(upload.name or "")
    if problem is not None:
        raise forms.ValidationError(problem, code="file_type")
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        # "too large" stays true when both sizes round to the same "50.0 MB".
        raise forms.ValidationError(
            "This file (%(size)s) is too large: the largest file accepted is %(limit)s. "
            "Split the records over several submissions.",
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    problem = upload_content_problem(upload, upload.name or "")
    if problem is not None:
        raise forms.ValidationError(problem, code="file_content")
    return upload


class FormatCheckMixin:
    """A `data_format` choice, and the data file checked against it (or against every format) by content."""

    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        upload = cleaned.get("data_file")
        try:
            check_format(upload, cleaned.get("data_format") or AUTO)
        except forms.ValidationError as error:
            self.add_error("data_file", error)  # type: ignore[attr-defined]
        return cleaned


class SubmissionForm(FormatCheckMixin, BootstrapFormMixin, forms.ModelForm):
    """Title, description and the data file a new submission is imported from."""

    data_file = forms.FileField(
        label="Data file",
        help_text=(
            "An IMAGE Excel template (.xlsx), a CRB-Anim CSV export, the site's submission CSV (both UTF-8 "
            ".csv, .tsv or .txt) or a CryoWeb SQL dump (.sql)."
        ),
        widget=forms.FileInput(attrs={"accept": FILE_ACCEPT}),
    )
    data_format = format_field()

    class Meta:
        model = Submission
        # The gene bank is mandatory for IMAGE on every record; a workbook's `submission` sheet also gives it.
        fields = ["title", "description", "gene_bank_name", "gene_bank_country"]
        help_texts = {
            "gene_bank_name": "The gene bank these records belong to (IMAGE's Gene bank name).",
            "gene_bank_country": "Its country, in English, e.g. Italy (IMAGE's Gene bank country).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_data_file(self) -> UploadedFile | None:
        return check_upload(self.cleaned_data.get("data_file"))


class SubmissionEditForm(SubmissionForm):
    """As `SubmissionForm`, but the file is optional: a new one is re-imported."""

    data_file = forms.FileField(
        label="Replacement data file",
        required=False,
        help_text="Optional. A new file replaces all records and is imported again.",
        widget=forms.FileInput(attrs={"accept": FILE_ACCEPT}),
    )
