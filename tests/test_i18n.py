"""The catalogues are complete in every language, cover every key the code uses and hold no unused key.

Also: plural forms, the fallback to Dutch, adding a language by adding a file,
and the Babel formats of numbers, money, dates and Amsterdam times.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import string
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from abcd.connections.model import ConnectionKind
from abcd.effort.plan import STREET_COLUMNS
from abcd.errors import AbcdError
from abcd.gaps.coverage import _SUMMARY_COLUMNS as STREET_SUMMARY_COLUMNS
from abcd.i18n import LANGUAGES, Term, catalogues, language_name, normalise_lang, t
from abcd.i18n.__main__ import template_text
from abcd.i18n.formats import (
    chart_locale,
    format_date,
    format_datetime,
    format_eur,
    format_integer,
    format_number,
    local_time,
)
from abcd.investments.ledger import INVESTMENTS
from abcd.investments.model import Funder, InvestmentDraft, Kind, Level
from abcd.maps import EFFORT_STYLES, GAP_COLORS
from abcd.model import AssetDraft, Category, MeetingPlaceRole, Source
from abcd.permissions import Permission, Role
from abcd.themes import BUILT_IN
from abcd.walks.streets import WALKED_CLASSES
from tests.helpers import ROOT

SOURCES = sorted([*(ROOT / "abcd").rglob("*.py"), ROOT / "app.py", *(ROOT / "app_pages").glob("*.py")])
KEY_SHAPE = re.compile(r"[a-z_]+(?:\.[a-z_0-9]+)+")

# Keys the code builds at run time (f"category.{c.value}", 'role.' + x), expanded from where their ends come from.
DYNAMIC: dict[str, Iterable[str]] = {
    "category.": [c.value for c in Category],
    "category_help.": [c.value for c in Category],
    "role.": [r.value for r in MeetingPlaceRole],
    "source.": [s.value for s in Source],
    "role_name.": [r.value for r in Role],
    "permission.": [p.value for p in Permission],
    "funder.": [f.value for f in Funder],
    "kind.": [k.value for k in Kind],
    "level.": [v.value for v in Level],
    # Fields of assets and investments, named in errors and history tables; "year" is the investment CSV's.
    "field.": sorted(
        ({f.name for f in fields(AssetDraft)} | {f.name for f in fields(InvestmentDraft)} | set(INVESTMENTS.tracked))
        - {"amount_cents"}  # shown as field.amount_eur (abcd/investments/tables.py)
        | {"amount_eur", "year"}
        # the raw keys abcd.model.validate_consent names in its errors
        | {"consent_date", "consent_recorded_by", "consent_purpose", "consent_text_version", "under_16"}
        | {"parent_consent"}
    ),
    "history.": ["create", "update", "delete", "restore", "approve", "erase", "confirm"],  # the actions stored
    "gaps.mode.": ["straight", "network"],  # abcd.gaps.Mode
    "gaps.class.": list(GAP_COLORS),
    "gaps.col.": list(STREET_SUMMARY_COLUMNS),  # the columns of abcd.gaps.street_summary
    "present.mode_": ["overview", "story"],
    "theme.": list(BUILT_IN),  # abcd.themes
    "connection.kind.": [k.value for k in ConnectionKind],
    "import.tool_": ["kobo", "odk"],  # abcd.fieldforms.exports.export_tool
    "map.link_": ["from", "to"],  # app_pages/kaart.py: which way a new connection goes
    "network.col.": ["name", "category", "degree", "betweenness", "bridges", "joins"],  # abcd.network.connectors
    "network.series.": ["initiatives", "meeting_places", "connections"],  # abcd.timeline.wijk_growth
    "effort.class.": list(EFFORT_STYLES),  # abcd.maps.effort
    "effort.col.": [c for c in STREET_COLUMNS if c != "segments"],  # the Gatenkaart's plan table
    "effort.cmp.": ["street", "effort", "previous_effort", "change", "started", "stopped"],  # abcd.effort.compare_plans
    "walks.class.": list(WALKED_CLASSES),  # abcd.maps.walks: how long ago a street was walked
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def entries(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Key -> its texts (one, or one per plural form), for every entry but the header."""
    out: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            out[key] = tuple(message.string) if isinstance(message.string, tuple) else (message.string,)
    return out


TEMPLATE = read(catalogues.TEMPLATE)
TEMPLATE_KEYS = [m.id[0] if isinstance(m.id, tuple) else m.id for m in TEMPLATE if m.id]
PLURAL_KEYS = {m.id[0] for m in TEMPLATE if isinstance(m.id, tuple)}
DUTCH = entries(read(catalogues.po_path("nl")))


def source_keys() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Key-shaped string literals, and the constant starts of keys built at run time, with their files."""
    prefixes = {key.split(".")[0] for key in TEMPLATE_KEYS}
    literal: dict[str, list[str]] = {}
    built: dict[str, list[str]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            start = None
            if id(node) in parts:
                continue  # the constant start of an f-string is a built key, seen at the JoinedStr
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_SHAPE.fullmatch(node.value):
                if node.value.split(".")[0] in prefixes:
                    literal.setdefault(node.value, []).append(path.name)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                start = node.values[0].value
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
                start = node.left.value
            if isinstance(start, str) and start.split(".")[0] in prefixes and re.fullmatch(r"[a-z_.]+[._]", start):
                built.setdefault(start, []).append(path.name)
    return literal, built


LITERAL, BUILT = source_keys()


def test_languages_are_dutch_then_english() -> None:
    assert LANGUAGES == ("nl", "en")


def test_every_catalogue_is_a_proper_po_file() -> None:
    for lang in LANGUAGES:
        catalog = read(catalogues.po_path(lang))
        assert str(catalog.locale).split("_")[0] == lang
        assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
        assert catalog.mime_headers  # Content-Type and friends
        assert ("Content-Type", "text/plain; charset=utf-8") in catalog.mime_headers
        assert not [m.id for m in catalog if m.fuzzy and m.id], f"{lang}: fuzzy entries"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("path", [catalogues.po_path(lang) for lang in LANGUAGES], ids=str)
def test_msgfmt_accepts_every_catalogue(path: Path) -> None:
    done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_template_is_written_from_the_dutch_catalogue() -> None:
    # python -m abcd.i18n rewrites it; a key added to nl/abcd.po without that fails here.
    assert catalogues.TEMPLATE.read_bytes() == template_text()
    assert all(not any(texts) for texts in entries(TEMPLATE).values())
    dutch_comment = {m.id[0] if isinstance(m.id, tuple) else m.id: m.auto_comments for m in TEMPLATE if m.id}
    assert dutch_comment["map.title"] == ["Dutch: Kaart van {wijk}"]
    assert dutch_comment["gaps.tooltip"] == [
        "Dutch, one: {n} bewonersinitiatief binnen bereik",
        "Dutch, other: {n} bewonersinitiatieven binnen bereik",
    ]


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_language_has_every_key_with_the_same_placeholders(key: str) -> None:
    expected = placeholders(DUTCH[key][-1])
    for lang in LANGUAGES:
        texts = entries(read(catalogues.po_path(lang)))[key]
        assert len(texts) == (2 if key in PLURAL_KEYS else 1), lang
        for text in texts:
            assert text.strip(), lang
            assert placeholders(text) == expected, (lang, text)
    assert key in catalogues.load_catalogue("en").messages  # complete: no fallback to Dutch needed


def test_no_catalogue_has_keys_the_template_lacks() -> None:
    for lang in LANGUAGES:
        assert sorted(set(entries(read(catalogues.po_path(lang)))) - set(TEMPLATE_KEYS)) == [], lang


def test_plural_entries_are_exactly_the_messages_counted_by_n() -> None:
    counted = {key for key, texts in DUTCH.items() if "n" in placeholders(texts[-1])}
    assert counted == PLURAL_KEYS
    assert len(PLURAL_KEYS) >= 20


def test_source_scan_finds_the_keys_it_should() -> None:
    # Guards the scan itself: if it broke, the next tests would pass vacuously.
    assert "error.row" in LITERAL and "exchange.py" in LITERAL["error.row"]
    assert "cli.imported" in LITERAL and "map.count" in LITERAL and "invest.title" in LITERAL
    assert "app.py" in LITERAL["page.map"]
    assert "category." in BUILT and "role." in BUILT and "present.mode_" in BUILT
    assert len(LITERAL) >= 300


def test_every_key_used_in_the_code_is_in_the_catalogues() -> None:
    missing = {key: files for key, files in LITERAL.items() if key not in DUTCH}
    assert missing == {}


def test_every_key_built_in_the_code_is_expanded_here() -> None:
    # A new f"prefix.{...}" in the code needs its prefix in DYNAMIC, or "unused" below would not be real.
    assert {start: files for start, files in BUILT.items() if start not in DYNAMIC} == {}
    # ... and a prefix no code builds any more would make its keys look used.
    assert sorted(set(DYNAMIC) - set(BUILT)) == []


def test_keys_built_from_enums_and_fields_exist() -> None:
    built = [prefix + end for prefix, ends in DYNAMIC.items() for end in ends]
    assert sorted(key for key in built if key not in DUTCH) == []


def test_no_catalogue_has_a_key_nobody_uses() -> None:
    used = set(LITERAL) | {prefix + end for prefix, ends in DYNAMIC.items() for end in ends}
    assert sorted(set(TEMPLATE_KEYS) - used) == []


def test_plural_messages_are_always_asked_with_their_count() -> None:
    # A plural entry asked without n shows its key; every call with a plural key names n.
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                keys = [a.value for a in node.args if isinstance(a, ast.Constant) and a.value in PLURAL_KEYS]
                if keys:
                    calls.append((path.name, node.lineno, keys[0], {k.arg for k in node.keywords}))
    assert len(calls) >= 15
    assert [call for call in calls if "n" not in call[3]] == []


def test_t_fills_placeholders_per_language() -> None:
    assert t("cli.imported", "nl", n=3, wijk="Bospolder") == "3 assets geïmporteerd in Bospolder."
    assert t("cli.imported", "en", n=3, wijk="Bospolder") == "3 assets imported into Bospolder."


@pytest.mark.parametrize(
    ("n", "dutch", "english"),
    [
        (1, "Deze wijk bevat 1 voorbeeld (", "This neighbourhood holds 1 example asset ("),
        (10, "Deze wijk bevat 10 voorbeelden (", "This neighbourhood holds 10 example assets ("),
        (0, "Deze wijk bevat 0 voorbeelden (", "This neighbourhood holds 0 example assets ("),
    ],
)
def test_plural_forms_follow_the_count(n: int, dutch: str, english: str) -> None:
    assert t("app.example_notice", "nl", n=n).startswith(dutch)
    assert t("app.example_notice", "en", n=n).startswith(english)


def test_counts_read_right_in_singular_and_plural() -> None:
    assert t("admin.pending_count", "nl", n=1) == "1 asset wacht op goedkeuring."
    assert t("admin.pending_count", "en", n=2) == "2 assets await approval."
    assert t("map.count", "nl", shown=1, n=1) == "1 van 1 asset op de kaart."
    assert t("error.login_locked", "nl", n=1).endswith("Dit account is 1 minuut geblokkeerd.")
    assert t("invest.city_average", "en", n=1) == "City average (1 neighbourhood)"


def test_a_count_is_shown_with_the_languages_digit_grouping() -> None:
    assert t("cli.exported", "nl", n=15000, path="a.csv") == "15.000 assets geëxporteerd naar a.csv."
    assert t("cli.exported", "en", n=15000, path="a.csv") == "15,000 assets exported to a.csv."


def test_a_plural_entry_without_its_count_shows_the_key() -> None:
    assert t("gaps.tooltip", "nl") == "gaps.tooltip"


def test_t_returns_an_unknown_key_itself() -> None:
    assert t("page.does_not_exist", "en") == "page.does_not_exist"
    assert t("page.map", "xx") == "Kaart"  # an unknown language reads Dutch


def test_a_text_missing_in_a_language_falls_back_to_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    real = catalogues.load_catalogue
    english = real("en")
    without = {k: v for k, v in english.messages.items() if k not in ("page.map", "gaps.tooltip")}
    patched = english._replace(messages=without)
    monkeypatch.setattr(catalogues, "load_catalogue", lambda lang: patched if lang == "en" else real(lang))
    assert t("page.map", "en") == "Kaart"
    assert t("gaps.tooltip", "en", n=1) == "1 bewonersinitiatief binnen bereik"
    assert t("page.list", "en") == "List"


def test_a_new_language_is_one_more_po_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Copy the catalogues, add German with a translated, an empty and a fuzzy entry, and read it back.
    shutil.copytree(catalogues.LOCALE_DIR, tmp_path / "locale")
    german = tmp_path / "locale" / "de" / "LC_MESSAGES" / "abcd.po"
    german.parent.mkdir(parents=True)
    german.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "page.map"\nmsgstr "Karte"\n\nmsgid "page.list"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "page.about"\nmsgstr "Über (ungeprüft)"\n\n'
        'msgid "gaps.tooltip"\nmsgid_plural "gaps.tooltip"\nmsgstr[0] "{n} Bewohnerinitiative in Reichweite"\n'
        'msgstr[1] "{n} Bewohnerinitiativen in Reichweite"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path / "locale")
    assert catalogues.available_languages() == ("nl", "de", "en")
    read_uncached = catalogues.load_catalogue.__wrapped__
    monkeypatch.setattr(catalogues, "load_catalogue", lambda lang: read_uncached(lang))
    monkeypatch.setattr("abcd.i18n.LANGUAGES", catalogues.available_languages())
    assert t("page.map", "de") == "Karte"
    assert t("page.list", "de") == "Lijst"  # empty: Dutch
    assert t("page.about", "de") == "Over"  # fuzzy: Dutch
    assert t("gaps.tooltip", "de", n=1) == "1 Bewohnerinitiative in Reichweite"
    assert normalise_lang("de_AT") == "de"
    assert language_name("de") == "Deutsch"


def test_terms_are_translated_in_the_readers_language() -> None:
    assert t("error.required", "nl", field=Term("field.lat")) == "Het veld 'breedtegraad' is verplicht."
    assert t("error.required", "en", field=Term("field.lat")) == "The field 'latitude' is required."


def test_nested_errors_are_shown_in_the_outer_language() -> None:
    inner = AbcdError("error.required", field=Term("field.name"))
    outer = AbcdError("error.row", row=4, message=inner)
    assert str(outer) == "Rij 4: Het veld 'naam' is verplicht."
    assert outer.message("en") == "Row 4: The field 'name' is required."


@pytest.mark.parametrize(
    ("value", "lang"), [("en", "en"), ("EN_gb", "en"), ("english", "en"), ("nl", "nl"), ("", "nl"), ("de", "nl")]
)
def test_normalise_lang(value: str, lang: str) -> None:
    assert normalise_lang(value) == lang


def test_languages_are_named_in_themselves() -> None:
    assert [language_name(code) for code in LANGUAGES] == ["Nederlands", "English"]


def test_importing_i18n_reads_no_catalogue_and_loads_no_babel() -> None:
    code = "import sys, abcd.i18n; print(sorted(m for m in sys.modules if m.startswith('babel')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


# --- Babel formats -------------------------------------------------------------------


def test_money_is_written_the_dutch_and_the_english_way() -> None:
    assert format_eur(Decimal("25000"), "nl") == "€ 25.000,00"
    assert format_eur(Decimal("25000"), "en") == "€25,000.00"
    assert format_eur(Decimal("262500"), "nl") == "€ 262.500,00"
    assert format_eur(25000, "nl") == "€ 25.000,00"  # whole euros
    assert format_eur(Decimal("0.125"), "nl") == "€ 0,13"  # half up, as a bookkeeper rounds


def test_formats_use_plain_spaces_not_babels_no_break_space() -> None:
    # Babel writes "€\u00a025.000,00"; a plain space is what people type and parse_amount reads back.
    shown = [format_eur(Decimal("25000"), "nl"), format_integer(15000, "nl"), format_number(1234.5, "nl")]
    assert not any("\u00a0" in s or "\u202f" in s for s in shown)


def test_numbers_have_the_languages_marks() -> None:
    assert format_integer(15000, "nl") == "15.000"
    assert format_integer(15000, "en") == "15,000"
    assert format_number(7952.6, "nl", digits=1) == "7.952,6"
    assert format_number(7952.6, "en", digits=1) == "7,952.6"
    assert format_number(Decimal("0.5"), "nl") == "0,50"
    assert format_number(None, "en") == "–"


def test_dates_are_written_out() -> None:
    assert format_date(date(2026, 11, 22), "nl") == "22 november 2026"
    assert format_date(date(2026, 11, 22), "en") == "22 November 2026"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-07-01T10:00:00+00:00", "2026-07-01 12:00"),  # summer time: UTC+2
        ("2026-01-15T10:00:00+00:00", "2026-01-15 11:00"),  # winter time: UTC+1
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29 01:59"),  # the minute before the clocks go forward
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "2026-03-29 03:00"),
        (datetime(2026, 12, 31, 23, 30), "2027-01-01 00:30"),  # naive means UTC
    ],
)
def test_stored_utc_times_are_shown_in_amsterdam(stored: datetime | str, shown: str) -> None:
    assert format_datetime(stored, "nl") == shown
    assert format_datetime(stored, "en") == shown


def test_local_time_is_amsterdam() -> None:
    assert local_time("2026-07-01T10:00:00+00:00").utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    assert format_datetime("2026-07-01T10:00:05+00:00", seconds=True) == "2026-07-01 12:00:05"


def test_charts_get_the_languages_number_and_month_names() -> None:
    dutch, english = chart_locale("nl"), chart_locale("en")
    assert dutch["number"]["decimal"] == "," and dutch["number"]["thousands"] == "."
    assert english["number"]["decimal"] == "." and english["number"]["thousands"] == ","
    assert dutch["time"]["shortMonths"][2] == "mrt" and dutch["time"]["days"][0] == "zondag"
    assert english["time"]["months"][0] == "January"
