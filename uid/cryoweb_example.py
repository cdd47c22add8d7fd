"""An example CryoWeb dump, written as CryoWeb's pg_dump writes one (formats.md §3), for the create page and benchmarks.

Two breeds (German cattle and pigs), animals with sires and dams (the first
of each breed has CryoWeb's placeholder unknown parents: transfer rows with
no animal row), and semen or blood vessels. `form` picks pg_dump's
--column-inserts output or its default COPY output.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from uid.formats.cryoweb import WANTED

HEADER = """--
-- PostgreSQL database dump
--

-- Dumped from database version 9.6.24
-- Dumped by pg_dump version 9.6.24

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
SET row_security = off;

"""
TRAILER = """--
-- PostgreSQL database dump complete
--

"""
# (db_code, ext_code, class, short_name, long_name)
CODES: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "m", "SEX", "männlich", "male"),
    (2, "f", "SEX", "weiblich", "female"),
    (10, "Cattle", "SPECIES", "Rind", "Cattle"),
    (11, "Pig", "SPECIES", "Schwein", "Pig"),
    (20, "Holstein", "BREED", "Holstein", "Holstein"),
    (21, "Bentheimer", "BREED", "Bunte Bentheimer", "Bentheimer"),
    (30, "Semen", "CRYO_TYPE", "Sperma", "Semen"),
    (31, "Blood", "CRYO_TYPE", "Blut", "Blood"),
    (40, "DEU", "COUNTRY", "Deutschland", "Germany"),
)
# (db_breed, db_species, efabis_mcname, efabis_country), species code, organism part code
BREEDS = ((20, 10, "Holstein", "Germany"), (21, 11, "Bentheimer Black Pied", "Germany"))
UNIT = 100
UNKNOWN_SIRE, UNKNOWN_DAM = 1, 2
# The unit, transfer and animal columns are exactly those the reader keeps, in its order, so the rows
# written below and the reader cannot drift apart; the other tables have columns the reader skips.
COLUMNS: dict[str, tuple[str, ...]] = {
    "codes": ("db_code", "ext_code", "class", "short_name", "long_name"),
    "unit": WANTED["unit"],
    "breeds_species": ("db_breed", "db_species", "efabis_mcname", "efabis_country", "efabis_lang"),
    "transfer": WANTED["transfer"],
    "animal": WANTED["animal"],
    "protocols": ("protocol_id", "protocol_name", "db_material_type"),
    "vessels": ("db_vessel", "ext_vessel", "db_animal", "protocol_id", "production_dt", "freezing_dt", "comment"),
    "nodes": ("nodename", "address"),
}
Value = int | float | str | None


def example_tables(*, animals: int = 6, vessels_per_animal: int = 2, prefix: str = "") -> dict[str, list[tuple]]:
    """Rows per table; each animal after a breed's first two has that breed's last male and female as parents."""
    tables: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
    tables["codes"] = list(CODES)
    tables["unit"] = [(UNIT, "ANIMAL", "ID")]
    tables["breeds_species"] = [(*breed, "DE") for breed in BREEDS]
    tables["transfer"] = [(UNKNOWN_SIRE, "UNKNOWN_SIRE", UNIT, None), (UNKNOWN_DAM, "UNKNOWN_DAM", UNIT, None)]
    tables["protocols"] = [(1, "Semen straws", 30), (2, "Whole blood", 31)]
    tables["nodes"] = [("cryoweb", "127.0.0.1")]
    born = date(2015, 3, 1)
    # Per breed: its (male, female) animals so far, the parents of the next ones.
    previous: dict[int, tuple[list[int], list[int]]] = {breed[0]: ([], []) for breed in BREEDS}
    vessel = 0
    for index in range(animals):
        db_animal = 1000 + index
        breed, species, _name, _country = BREEDS[index % len(BREEDS)]
        males, females = previous[breed]
        sire = males[-1] if males and females else UNKNOWN_SIRE
        dam = females[-1] if males and females else UNKNOWN_DAM
        sex = 1 if len(males) <= len(females) else 2
        (males if sex == 1 else females).append(db_animal)
        birth = born + timedelta(days=37 * index)
        tables["transfer"].append((db_animal, f"{prefix}DE{db_animal:06d}", UNIT, None))
        tables["animal"].append(
            (
                db_animal,
                sire,
                dam,
                sex,
                breed,
                species,
                birth.isoformat(),
                round(52.3 + (index % 10) / 100, 2),
                round(10.4 + (index % 7) / 100, 2),
                f"Herdbook animal {index + 1}; kept at Mariensee",
            )
        )
        for _ in range(vessels_per_animal):
            vessel += 1
            protocol = 1 if sex == 1 else 2
            produced = birth + timedelta(days=400 + vessel % 90)
            tables["vessels"].append(
                (vessel, f"{prefix}V{vessel:07d}", db_animal, protocol, produced.isoformat(), produced.isoformat(), "")
            )
    return tables


def example_dump(*, animals: int = 6, vessels_per_animal: int = 2, prefix: str = "", form: str = "insert") -> bytes:
    """The example as pg_dump's plain data-only SQL: `form` is "insert" (--column-inserts) or "copy"."""
    tables = example_tables(animals=animals, vessels_per_animal=vessels_per_animal, prefix=prefix)
    return "".join(dump_lines(tables, form=form)).encode()


def dump_lines(tables: dict[str, list[tuple]], *, form: str = "insert") -> Iterator[str]:
    yield HEADER
    for table, rows in tables.items():
        yield f"--\n-- Data for Name: {table}; Type: TABLE DATA; Schema: apiis_admin; Owner: apiis_admin\n--\n\n"
        columns = ", ".join(COLUMNS[table])
        if form == "copy":
            yield f"COPY apiis_admin.{table} ({columns}) FROM stdin;\n"
            yield from ("\t".join(map(_copy_value, row)) + "\n" for row in rows)
            yield "\\.\n\n\n"
        else:
            head = f"INSERT INTO apiis_admin.{table} ({columns}) VALUES ("
            yield from (head + ", ".join(map(_sql_value, row)) + ");\n" for row in rows)
            yield "\n\n"
    yield "--\n-- Name: seq_animal__db_animal; Type: SEQUENCE SET; Schema: apiis_admin; Owner: apiis_admin\n--\n\n"
    yield "SELECT pg_catalog.setval('apiis_admin.seq_animal__db_animal', 1, false);\n\n\n"
    yield TRAILER


def _sql_value(value: Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _copy_value(value: Value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
