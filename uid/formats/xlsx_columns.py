"""The IMAGE Excel template's sheets and header names (formats.md §1.2), and the model field each fills.

Headers are IMAGE's, spelt exactly as its empty template of 2019-04-05
spells them; validation can use these tables to name a field's column.
"""

from __future__ import annotations

from uid.formats.xlsx_workbook import MANDATORY_SHEETS

BREED_SHEET, ANIMAL_SHEET, SAMPLE_SHEET = MANDATORY_SHEETS
SUBMISSION_SHEET, CONTACT_SHEET = "submission", "contact"
BREED_COLUMNS: dict[str, str] = {
    "Supplied breed": "breed",
    "EFABIS Breed country": "breed_country",
    "Species": "species",
}
# Header → model field, in the template's order.
ANIMAL_COLUMNS: dict[str, str] = {
    "Animal id in data source": "name",
    "Animal description": "description",
    "Alternative animal ID": "alternative_id",
    "Father id in data source": "father_name",
    "Mother id in data source": "mother_name",
    "Breed": "breed",
    "Species": "species",
    "Sex": "sex",
    "Birth date": "birth_date",
    "Birth location": "birth_location",
    "Birth location longitude": "longitude",
    "Birth location latitude": "latitude",
    "Birth location accuracy": "accuracy",
}
SAMPLE_COLUMNS: dict[str, str] = {
    "Sample id in data source": "name",
    "Alternative sample ID": "alternative_id",
    "Sample description": "description",
    "Animal id in data source": "animal_name",
    "Specimen collection protocol": "protocol_url",
    "availability": "availability",
    "Collection date": "collection_date",
    "Collection place latitude": "latitude",
    "Collection place longitude": "longitude",
    "Collection place": "collection_place",
    "Collection place accuracy": "accuracy",
    "Organism part": "organism_part",
    "Developmental stage": "developmental_stage",
    "Physiological stage": "physiological_stage",
    "Animal age at collection": "animal_age_at_collection",
    "Sample storage": "storage",
    "Sample storage processing": "storage_processing",
    "Sampling to preparation interval": "preparation_interval",
}
# Units in a column of their own, read when present; otherwise the unit is in the amount's cell.
UNIT_COLUMNS: dict[str, str] = {
    "Animal age at collection units": "animal_age_at_collection_units",
    "Sampling to preparation interval units": "preparation_interval_units",
}
AMOUNTS: dict[str, str] = {
    "animal_age_at_collection": "animal_age_at_collection_units",
    "preparation_interval": "preparation_interval_units",
}
SUBMISSION_COLUMNS: dict[str, str] = {
    "Project": "project",
    "Publication DOI": "publication_doi",
    "Gene bank name": "gene_bank_name",
    "Gene bank country": "gene_bank_country",
}
CONTACT_COLUMNS: tuple[str, ...] = (
    "Person last name",
    "Person initial",
    "Person first name",
    "Person email",
    "Person affiliation",
    "Person role",
    "Organisation name",
    "Organisation address",
    "Organisation uri",
    "Organisation country",
    "Organisation role",
)
SHEETS: dict[str, tuple[str, ...]] = {
    BREED_SHEET: tuple(BREED_COLUMNS),
    ANIMAL_SHEET: tuple(ANIMAL_COLUMNS),
    SAMPLE_SHEET: tuple(SAMPLE_COLUMNS),
}
