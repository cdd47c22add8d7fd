"""Term tables bundled with the site, so the ontology_id rules can be judged offline.

The IMAGE ruleset (formats.md §4.4) names, for each ontology_id field, the
terms allowed: a root and its descendants (species under NCBITaxon_1,
organism parts under UBERON_0001062, ...) or a fixed list (sex, countries,
material). An ontology cannot be bundled whole, so these tables hold the
terms livestock gene banks use, keyed by the root the ruleset names
(`TERM_TABLES`); a label missing here is reported as "could not be checked
offline", never as wrong (`validation.ontology`). They sit in `uid`, below
`validation`, because the format readers (CryoWeb's country codes) and the
example data read them too.

Provenance of the ontology ids (written offline, no ontology download):
* From formats.md (IMAGE's own dictionaries): the sex terms, the general
  breeds (LBO), the 16 NCIT countries (in the ruleset itself), EFO_0001272
  "adult", PATO_0001701 "mature", UBERON_0001968 "semen", EFO_0001741
  "submitter".
* Checked against public ontology text: the UBERON life-cycle stages, the
  PATO stages, NCBITaxon_30521 (yak), NCBITaxon_8843 (goose), UBERON_0007365
  (rumen), UBERON_0001690 (ear), EFO_0001739 "investigator".
* Still unverified, from memory: the other NCBITaxon species ids and the
  other UBERON organism part ids. Breeds other than the general breeds carry
  no LBO id; they are checked by name against the species only.
"""

from __future__ import annotations


def normalise(value: str) -> str:
    """The form every lookup key is stored in: single spaces, case-folded."""
    return " ".join(value.split()).casefold()


# The sex dictionary of IMAGE (formats.md §0.2): exact labels.
SEX_TERMS: dict[str, str] = {"male": "PATO_0000384", "female": "PATO_0000383", "record of unknown sex": "OBI_0000858"}
SEXES: tuple[str, ...] = tuple(SEX_TERMS)

# Latin name → NCBI Taxonomy id, for the livestock and companion species the
# archive receives most.
SPECIES: dict[str, str] = {
    "Bos taurus": "NCBITaxon_9913",
    "Bos indicus": "NCBITaxon_9915",
    "Bos grunniens": "NCBITaxon_30521",
    "Bubalus bubalis": "NCBITaxon_89462",
    "Sus scrofa": "NCBITaxon_9823",
    "Ovis aries": "NCBITaxon_9940",
    "Capra hircus": "NCBITaxon_9925",
    "Equus caballus": "NCBITaxon_9796",
    "Equus asinus": "NCBITaxon_9793",
    "Gallus gallus": "NCBITaxon_9031",
    "Meleagris gallopavo": "NCBITaxon_9103",
    "Anas platyrhynchos": "NCBITaxon_8839",
    "Anser anser": "NCBITaxon_8843",
    "Coturnix japonica": "NCBITaxon_93934",
    "Numida meleagris": "NCBITaxon_8996",
    "Columba livia": "NCBITaxon_8932",
    "Struthio camelus": "NCBITaxon_8801",
    "Oryctolagus cuniculus": "NCBITaxon_9986",
    "Camelus dromedarius": "NCBITaxon_9838",
    "Camelus bactrianus": "NCBITaxon_9837",
    "Lama glama": "NCBITaxon_9844",
    "Vicugna pacos": "NCBITaxon_30538",
    "Rangifer tarandus": "NCBITaxon_9870",
    "Cervus elaphus": "NCBITaxon_9860",
    "Canis lupus familiaris": "NCBITaxon_9615",
    "Felis catus": "NCBITaxon_9685",
    "Apis mellifera": "NCBITaxon_7460",
    "Salmo salar": "NCBITaxon_8030",
    "Oncorhynchus mykiss": "NCBITaxon_8022",
    "Cyprinus carpio": "NCBITaxon_7962",
}

# A few well-known breeds of the main species. An unlisted breed is only a
# Warning: local breeds are legion and this list is not meant to be complete.
BREEDS: dict[str, tuple[str, ...]] = {
    "Bos taurus": (
        "Holstein",
        "Holstein Friesian",
        "Jersey",
        "Guernsey",
        "Ayrshire",
        "Brown Swiss",
        "Aberdeen Angus",
        "Angus",
        "Hereford",
        "Simmental",
        "Charolais",
        "Limousin",
        "Highland",
        "Normande",
        "Montbeliarde",
        "Piedmontese",
        "Chianina",
        "Podolica",
        "Wagyu",
        # Names shared with breeds of other species, listed so they are not taken for them.
        "Friesian",
        "British Friesian",
    ),
    "Sus scrofa": (
        "Large White",
        "Landrace",
        "Duroc",
        "Pietrain",
        "Hampshire",
        "Berkshire",
        "Meishan",
        "Cinta Senese",
        "Iberian",
        "Mangalica",
    ),
    "Ovis aries": (
        "Merino",
        "Suffolk",
        "Texel",
        "Dorset",
        "Romney",
        "Sarda",
        "Lacaune",
        "East Friesian",
        "Cheviot",
        "Border Leicester",
        "Soay",
        "Hampshire",
    ),
    "Capra hircus": ("Saanen", "Alpine", "Anglo-Nubian", "Nubian", "Boer", "Toggenburg", "Angora", "LaMancha"),
    "Equus caballus": (
        "Thoroughbred",
        "Arabian",
        "Quarter Horse",
        "Standardbred",
        "Hanoverian",
        "Shetland Pony",
        "Haflinger",
        "Icelandic",
        "Friesian",
        "Highland",
    ),
    "Gallus gallus": (
        "White Leghorn",
        "Rhode Island Red",
        "Plymouth Rock",
        "Sussex",
        "Orpington",
        "Silkie",
        "Cornish",
        "Red Junglefowl",
    ),
}
# Breed values that are correct for any species.
ANY_SPECIES_BREEDS: tuple[str, ...] = ("crossbreed", "mixed breed", "unknown")

# "Sample storage": the IMAGE SAMPLE_STORAGE strings (formats.md §0.2), exact.
STORAGE: tuple[str, ...] = (
    "ambient temperature",
    "cut slide",
    "frozen, -80 degrees Celsius freezer",
    "frozen, -20 degrees Celsius freezer",
    "frozen, liquid nitrogen",
    "frozen, vapor phase",
    "paraffin block",
    "RNAlater, frozen -20 degrees Celsius",
    "TRIzol, frozen",
    "paraffin block at ambient temperatures (+15 to +30 degrees Celsius)",
    "freeze dried",
    "frozen, -40 degrees Celsius freezer",
)

# Organism part → UBERON id.
ORGANISM_PARTS: dict[str, str] = {
    "blood": "UBERON_0000178",
    "blood serum": "UBERON_0001977",
    "blood plasma": "UBERON_0001969",
    "muscle tissue": "UBERON_0002385",
    "skeletal muscle tissue": "UBERON_0001134",
    "liver": "UBERON_0002107",
    "skin": "UBERON_0002097",
    "hair": "UBERON_0001037",
    "feather": "UBERON_0000022",
    "semen": "UBERON_0001968",
    "milk": "UBERON_0001913",
    "saliva": "UBERON_0001836",
    "feces": "UBERON_0001988",
    "heart": "UBERON_0000948",
    "lung": "UBERON_0002048",
    "kidney": "UBERON_0002113",
    "spleen": "UBERON_0002106",
    "brain": "UBERON_0000955",
    "adipose tissue": "UBERON_0001013",
    "bone marrow": "UBERON_0002371",
    "lymph node": "UBERON_0000029",
    "thymus": "UBERON_0002370",
    "ovary": "UBERON_0000992",
    "testis": "UBERON_0000473",
    "uterus": "UBERON_0000995",
    "placenta": "UBERON_0001987",
    "embryo": "UBERON_0000922",
    "mammary gland": "UBERON_0001911",
    "stomach": "UBERON_0000945",
    "rumen": "UBERON_0007365",
    "small intestine": "UBERON_0002108",
    "duodenum": "UBERON_0002114",
    "jejunum": "UBERON_0002115",
    "ileum": "UBERON_0002116",
    "colon": "UBERON_0001155",
    "pancreas": "UBERON_0001264",
    "adrenal gland": "UBERON_0002369",
    "thyroid gland": "UBERON_0002046",
    "ear": "UBERON_0001690",
}

# The species' general breed (LBO), the Mapped breed of a breed that has no mapping of its own (§0.3).
GENERAL_BREEDS: dict[str, tuple[str, str]] = {
    "Bos taurus": ("cattle breed", "LBO_0000001"),
    "Gallus gallus": ("chicken breed", "LBO_0000002"),
    "Equus caballus": ("horse breed", "LBO_0000713"),
    "Sus scrofa": ("pig breed", "LBO_0000003"),
    "Ovis aries": ("sheep breed", "LBO_0000004"),
    "Capra hircus": ("goat breed", "LBO_0000954"),
    "Bubalus bubalis": ("buffalo breed", "LBO_0001042"),
}
CROSSBREEDS: dict[str, tuple[str, str]] = {
    "Bos taurus": ("Cattle crossbreed", "LBO_0001036"),
    "Gallus gallus": ("Chicken crossbreed", "LBO_0001037"),
    "Equus caballus": ("Horse crossbreed", "LBO_0001039"),
    "Sus scrofa": ("Pig crossbreed", "LBO_0001040"),
    "Ovis aries": ("Sheep crossbreed", "LBO_0001041"),
    "Capra hircus": ("Goat crossbreed", "LBO_0001038"),
}

# Person and organisation roles (descendants of EFO_0002012, "role").
ROLES: dict[str, str] = {"submitter": "EFO_0001741", "investigator": "EFO_0001739"}

# ISO 3166-1 alpha-2 code and English short name, "|"-separated to keep the
# table compact; parsed once at import into COUNTRIES below.
_ISO_3166 = """\
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia|
AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Åland Islands|
AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|
BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthélemy|BM Bermuda|BN Brunei Darussalam|
BO Bolivia, Plurinational State of|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan|
BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos (Keeling) Islands|
CD Congo, The Democratic Republic of the|CF Central African Republic|CG Congo|CH Switzerland|
CI Côte d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|
CV Cabo Verde|CW Curaçao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|
DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea|
ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands (Malvinas)|FM Micronesia, Federated States of|
FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|
GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|
GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong|
HM Heard Island and McDonald Islands|HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|
IL Israel|IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran, Islamic Republic of|
IS Iceland|IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|
KM Comoros|KN Saint Kitts and Nevis|KP Korea, Democratic People's Republic of|KR Korea, Republic of|
KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Lao People's Democratic Republic|LB Lebanon|LC Saint Lucia|
LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|
MC Monaco|MD Moldova, Republic of|ME Montenegro|MF Saint Martin (French part)|MG Madagascar|
MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia|MO Macao|MP Northern Mariana Islands|
MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|
MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|
NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|
PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn|
PR Puerto Rico|PS Palestine, State of|PT Portugal|PW Palau|PY Paraguay|QA Qatar|RE Réunion|RO Romania|
RS Serbia|RU Russian Federation|RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|
SE Sweden|SG Singapore|SH Saint Helena, Ascension and Tristan da Cunha|SI Slovenia|SJ Svalbard and Jan Mayen|
SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|
ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten (Dutch part)|SY Syrian Arab Republic|SZ Eswatini|
TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|
TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|TR Türkiye|TT Trinidad and Tobago|TV Tuvalu|
TW Taiwan, Province of China|TZ Tanzania, United Republic of|UA Ukraine|UG Uganda|
UM United States Minor Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan|
VA Holy See (Vatican City State)|VC Saint Vincent and the Grenadines|VE Venezuela, Bolivarian Republic of|
VG Virgin Islands, British|VI Virgin Islands, U.S.|VN Viet Nam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|
YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe
"""
COUNTRIES: dict[str, str] = dict(entry.split(" ", 1) for entry in _ISO_3166.replace("\n", "").split("|"))

# Everyday names people write instead of the ISO short name.
COUNTRY_ALIASES: dict[str, str] = {
    "USA": "US",
    "United States of America": "US",
    "UK": "GB",
    "Great Britain": "GB",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "Russia": "RU",
    "Iran": "IR",
    "Vietnam": "VN",
    "South Korea": "KR",
    "North Korea": "KP",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Syria": "SY",
    "Laos": "LA",
    "Moldova": "MD",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Democratic Republic of the Congo": "CD",
    "Ivory Coast": "CI",
    "Taiwan": "TW",
    "Brunei": "BN",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "Macedonia": "MK",
}

_SPECIES_KEYS: dict[str, str] = {normalise(name): name for name in SPECIES}
_BREED_KEYS: dict[str, frozenset[str]] = {
    species: frozenset(normalise(breed) for breed in (*breeds, *ANY_SPECIES_BREEDS))
    for species, breeds in BREEDS.items()
}
# Breed → the species listing it, to tell a misspelt breed (a Warning) from one of another species (an Error).
_BREED_SPECIES: dict[str, frozenset[str]] = {
    key: frozenset(species for species, breeds in BREEDS.items() if key in {normalise(b) for b in breeds})
    for key in {normalise(breed) for breeds in BREEDS.values() for breed in breeds}
}
_PART_IDS: dict[str, str] = {normalise(part): term for part, term in ORGANISM_PARTS.items()}
_COUNTRY_KEYS: dict[str, str] = {
    **{normalise(code): code for code in COUNTRIES},
    **{normalise(name): code for code, name in COUNTRIES.items()},
    **{normalise(alias): code for alias, code in COUNTRY_ALIASES.items()},
}


def species_name(value: str) -> str | None:
    """The canonical Latin name for `value`, or None when it is not a known species."""
    return _SPECIES_KEYS.get(normalise(value))


def is_known_breed(species: str, breed: str) -> bool:
    """Whether `breed` is listed for `species`; True when the species has no breed list to judge by."""
    known = _BREED_KEYS.get(species)
    return known is None or normalise(breed) in known


def breed_species(breed: str) -> frozenset[str]:
    """The species whose breed list has `breed`; empty when no list has it."""
    return _BREED_SPECIES.get(normalise(breed), frozenset())


def country_code(value: str) -> str | None:
    """The ISO code for a country given by code, English name or common alias; None if unknown."""
    return _COUNTRY_KEYS.get(normalise(value))


# Where each ontology's terms live; an id is "<PREFIX>_<number>", as the tables above store them.
_ONTOLOGY_NAMESPACES: dict[str, str] = {"EFO": "http://www.ebi.ac.uk/efo/"}
_OBO_NAMESPACE = "http://purl.obolibrary.org/obo/"


def term_iri(term_id: str) -> str:
    """The IRI of a bundled ontology id ("UBERON_0000178" → its OBO PURL), as the archive stores ontology terms."""
    prefix = term_id.split("_", 1)[0]
    return _ONTOLOGY_NAMESPACES.get(prefix, _OBO_NAMESPACE) + term_id


def species_term(value: str) -> str | None:
    """The NCBITaxon id of a known species ("bos taurus" → "NCBITaxon_9913"), or None."""
    name = species_name(value)
    return SPECIES[name] if name else None


def organism_part_term(value: str) -> str | None:
    """The UBERON id of a known organism part, or None."""
    return _PART_IDS.get(normalise(value))
