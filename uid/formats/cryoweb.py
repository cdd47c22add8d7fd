"""CryoWeb dumps: the data-only pg_dump of a CryoWeb database's `apiis_admin` tables (formats.md §3).

The dump is read, never run (`uid.formats.cryoweb_sql`), and its tables
are joined the way CryoWeb's views do: an animal's id is its unit's
ext_unit and ext_id with its transfer's ext_animal (`ANIMAL:::ID:::1234`),
codes give sexes, species and sample types, and `breeds_species` gives
each breed's name and country. Species are resolved through synonyms only
(`uid.formats.species`, skipping the exact Latin label), in the gene bank
country's language. Parents are linked in a second pass, so row order does
not matter.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from uid.formats import Parsed, Progress
from uid.formats.ages import derived_age
from uid.formats.cryoweb_sniff import DESCRIPTION, looks_like_sql
from uid.formats.cryoweb_sql import Row, read_rows
from uid.formats.records import RecordRows
from uid.formats.species import DEFAULT_LANGUAGE, known_names, resolve_species
from uid.models import Animal, Sample
from uid.upload_checks import ImportFailed, listing
from uid.vocabularies import country_code

NAME = "cryoweb"
LABEL = DESCRIPTION
ABSENT = (
    "it does not start as SQL text does (pg_dump's header comment, or a SET, INSERT or COPY statement). "
    "Upload the plain SQL that CryoWeb's pg_dump --data-only writes."
)
WANTED: dict[str, tuple[str, ...]] = {
    "codes": ("db_code", "ext_code"),
    "breeds_species": ("db_breed", "db_species", "efabis_mcname", "efabis_country"),
    "animal": (
        "db_animal",
        "db_sire",
        "db_dam",
        "db_sex",
        "db_breed",
        "db_species",
        "birth_dt",
        "latitude",
        "longitude",
        "comment",
    ),
    "transfer": ("db_animal", "ext_animal", "db_unit", "closing_dt"),
    "unit": ("db_unit", "ext_unit", "ext_id"),
    "protocols": ("protocol_id", "db_material_type"),
    "vessels": ("db_vessel", "ext_vessel", "db_animal", "protocol_id", "production_dt", "comment"),
}
ANIMAL_FIELDS: tuple[str, ...] = (
    "name",
    "alternative_id",
    "sex",
    "species",
    "breed",
    "breed_country",
    "birth_date",
    "latitude",
    "longitude",
    "accuracy",
    "description",
    "father_name",
    "mother_name",
)
SAMPLE_FIELDS: tuple[str, ...] = (
    "name",
    "alternative_id",
    "animal_name",
    "organism_part",
    "collection_date",
    "description",
    "animal_age_at_collection",
    "animal_age_at_collection_units",
)
SEXES = {"m": "male", "f": "female"}
UNKNOWN_ACCURACY, NO_COORDINATES = "unknown accuracy level", "missing geographic information"


def looks_like(head: bytes) -> bool:
    """Whether the file starts as SQL text does: a dump, which no CSV header or workbook resembles."""
    return looks_like_sql(head)


def parse(data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> Parsed:
    """The dump's animals and samples, or ImportFailed naming what is refused or missing.

    CryoWeb's species codes are common names, read in `language`, then English (§0.3).
    """
    tables: dict[str, list[Row]] = defaultdict(list)
    for row in read_rows(data, WANTED, progress):
        tables[row.table].append(row)
    return _Joined(tables, language).parsed()


def _text(value: str | None) -> str:
    return "" if value is None else value.strip()


class _Joined:
    """The dump's tables, joined as CryoWeb's v_breeds_species, v_animal and v_vessels views are."""

    def __init__(self, tables: dict[str, list[Row]], language: str) -> None:
        self.tables = tables
        self.language = language
        self.codes = {_text(code): _text(ext) for _line, (code, ext) in self._rows("codes")}
        units = {_text(unit): (_text(ext), _text(ext_id)) for _line, (unit, ext, ext_id) in self._rows("unit")}
        # An animal's id in CryoWeb's view, from its transfer to a unit. An animal transferred more than once
        # takes its open transfer (no closing date), so it is one record, not one per transfer.
        self.ids: dict[str, str] = {}
        closed: dict[str, str] = {}
        for _line, (animal, local, unit, closing) in self._rows("transfer"):
            if unit is None or _text(unit) not in units:
                continue
            ext_unit, ext_id = units[_text(unit)]
            target = self.ids if closing is None else closed
            target.setdefault(_text(animal), f"{ext_unit}:::{ext_id}:::{_text(local)}")
        self.ids = {**closed, **self.ids}
        self.problems: list[str] = []

    def _rows(self, table: str) -> list[tuple[int, tuple[str | None, ...]]]:
        return [(row.line, row.values) for row in self.tables.get(table, [])]

    def parsed(self) -> Parsed:
        breeds = self._breeds()
        animals = self._animals(breeds)
        samples = self._samples(animals)
        if self.problems:
            raise ImportFailed(" ".join(self.problems))
        if not animals.rows:
            raise ImportFailed("The dump holds no animals (its animal table is empty or absent): nothing to import.")
        return Parsed(
            animal_fields=ANIMAL_FIELDS, animals=animals.rows, sample_fields=SAMPLE_FIELDS, samples=samples.rows
        )

    def _species(self, code: str | None, unresolved: dict[str, None]) -> str:
        word = self.codes.get(_text(code), "")
        species = resolve_species(word, language=self.language, synonyms_only=True) if word else None
        if species is None:
            unresolved[word or f"(code {_text(code) or 'NULL'})"] = None
            return ""
        return species

    def _breeds(self) -> dict[str, list[tuple[str, str, str]]]:
        """db_breed → its (breed name, species, country) rows; refuses when species or countries are unknown."""
        breeds: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        unresolved: dict[str, None] = {}
        countries: dict[str, None] = {}
        for _line, (breed, species, name, country) in self._rows("breeds_species"):
            if country_code(_text(country)) is None:
                countries[_text(country) or "(none)"] = None
            breeds[_text(breed)].append((_text(name), self._species(species, unresolved), _text(country)))
        if not breeds:
            raise ImportFailed(
                "The dump has no breeds: its breeds_species table is empty or absent, so no animal has a breed "
                "or species. Dump the whole apiis_admin schema."
            )
        for _line, values in self._rows("animal"):
            self._species(values[5], unresolved)
        if unresolved:
            words = ", ".join(f'"{word}"' for word in unresolved)
            language = "English" if self.language == DEFAULT_LANGUAGE else f"{self.language} or English"
            self.problems.append(
                f"Species without a synonym ({language}): {words}. Name each species by a common name the site "
                f"knows ({', '.join(known_names(self.language))}) in CryoWeb's SPECIES codes."
            )
        if countries:
            self.problems.append(
                f"Unknown breed countries in breeds_species: {listing(list(map(repr, countries)))}. "
                "Write each efabis_country as the country's English name, such as Germany."
            )
        return breeds

    def _animals(self, breeds: dict[str, list[tuple[str, str, str]]]) -> RecordRows:
        animals = RecordRows(Animal, ANIMAL_FIELDS, kind="animal", place="line")
        sexes: list[str] = []
        breedless: list[str] = []
        unlinked: list[str] = []
        # Parents are animals of the dump of the same breed, found once every animal is known.
        found: list[tuple[int, dict[str, str], str, str]] = []
        for line, values in self._rows("animal"):
            animal, sire, dam, sex, breed, species, birth, latitude, longitude, comment = map(_text, values)
            values_ = dict.fromkeys(ANIMAL_FIELDS, "")
            name = self.ids.get(animal, "")
            if not name:
                unlinked.append(f"db_animal {animal or '(none)'} on line {line}")
                continue
            ext_sex = self.codes.get(sex, "")
            if ext_sex not in SEXES:
                sexes.append(f"'{ext_sex or sex or 'NULL'}' for '{name}'")
            matches = breeds.get(breed, [])
            if len(matches) != 1:
                breedless.append(f"'{name}' (db_breed {breed or 'NULL'}: {len(matches)} rows)")
            else:
                values_["breed"], _breed_species, values_["breed_country"] = matches[0]
            values_.update(
                name=name,
                alternative_id=animal,
                sex=SEXES.get(ext_sex, ext_sex),
                species=self._species(species, {}),
                birth_date=birth[:10] if _iso_date(birth) else birth,
                latitude=latitude,
                longitude=longitude,
                accuracy=UNKNOWN_ACCURACY if _nonzero(latitude) and _nonzero(longitude) else NO_COORDINATES,
                description=comment,
            )
            found.append((line, values_, self.ids.get(sire, ""), self.ids.get(dam, "")))
        breed_of = {values["name"]: _breed_key(values) for _line, values, _sire, _dam in found}
        self.births = {values["name"]: values["birth_date"] for _line, values, _sire, _dam in found}
        for line, values, sire, dam in found:
            for field, parent in (("father_name", sire), ("mother_name", dam)):
                # CryoWeb's placeholder unknown parents have a transfer row but no animal row: no parent.
                if parent and breed_of.get(parent) == _breed_key(values):
                    values[field] = parent
            animals.add(line, tuple(values[field] for field in ANIMAL_FIELDS), ANIMAL_FIELDS)
        if unlinked:
            self.problems.append(
                f"Animals without a transfer row to a unit, so without an id: {listing(unlinked)}. "
                "Every animal needs its transfer and unit rows in the dump."
            )
        if sexes:
            self.problems.append(f"Unknown sex {listing(sexes)}: CryoWeb's SEX codes must be m or f.")
        if breedless:
            self.problems.append(f"Animals whose breed is not exactly one row of breeds_species: {listing(breedless)}.")
        self.problems += animals.problems()
        return animals

    def _samples(self, animals: RecordRows) -> RecordRows:
        samples = RecordRows(Sample, SAMPLE_FIELDS, kind="sample", place="line")
        protocols = {_text(protocol): _text(material) for _line, (protocol, material) in self._rows("protocols")}
        no_protocol: list[str] = []
        no_animal: list[str] = []
        for line, values in self._rows("vessels"):
            vessel, name, animal, protocol, produced, comment = map(_text, values)
            animal_name = self.ids.get(animal, "")
            if animal_name not in animals.lines:
                no_animal.append(f"'{name}' (db_animal {animal or 'NULL'}, line {line})")
            if protocol not in protocols:
                no_protocol.append(f"'{name}' (protocol_id {protocol or 'NULL'}, line {line})")
            collected = produced[:10] if _iso_date(produced) else produced
            age, unit = derived_age(self.births.get(animal_name, ""), collected) or ("", "")
            part = self.codes.get(protocols.get(protocol, ""), "").lower()
            samples.add(
                line,
                (name, vessel, animal_name, part, collected, comment, age, unit),
                SAMPLE_FIELDS,
            )
        if no_animal:
            self.problems.append(f"Vessels of animals that are not in the dump: {listing(no_animal)}.")
        if no_protocol:
            self.problems.append(f"Vessels whose protocol is not in the protocols table: {listing(no_protocol)}.")
        self.problems += samples.problems()
        return samples


def _breed_key(values: dict[str, str]) -> tuple[str, str, str]:
    return values["breed"], values["species"], values["breed_country"]


def _nonzero(value: str) -> bool:
    try:
        return float(value) != 0
    except ValueError:
        return False


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
