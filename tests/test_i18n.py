"""The catalogue is complete in both languages and covers every key the code uses."""

from __future__ import annotations

import re
import string
from dataclasses import fields

import pytest

from abcd.errors import AbcdError
from abcd.i18n import CATALOGUE, LANGUAGES, Term, normalise_lang, t
from abcd.model import AssetDraft, Category, MeetingPlaceRole, Source
from tests.helpers import ROOT

KEY_LITERAL = re.compile(r"""["'](?:error|cli|map|page|app|category|field|role|source)\.[a-z_.]+["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def keys_used_in_source() -> dict[str, list[str]]:
    """Every key-like string literal in ``abcd/``, with the files that use it."""
    used: dict[str, list[str]] = {}
    for path in sorted((ROOT / "abcd").rglob("*.py")):
        for match in KEY_LITERAL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(0)[1:-1], []).append(path.name)
    return used


def test_languages_are_dutch_then_english() -> None:
    assert LANGUAGES == ("nl", "en")


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_entry_has_both_languages_with_the_same_placeholders(key: str) -> None:
    dutch, english = CATALOGUE[key]
    assert dutch.strip() and english.strip()
    assert placeholders(dutch) == placeholders(english)


def test_source_scan_finds_the_keys_it_should() -> None:
    # Guards the scan itself: if the regex or the path broke, the next test would pass vacuously.
    used = keys_used_in_source()
    assert "error.row" in used and "exchange.py" in used["error.row"]
    assert "cli.imported" in used
    assert len(used) >= 30


def test_every_key_used_in_the_code_is_in_the_catalogue() -> None:
    missing = {key: files for key, files in keys_used_in_source().items() if key not in CATALOGUE}
    assert missing == {}


@pytest.mark.parametrize(
    "key",
    [f"category.{c.value}" for c in Category]
    + [f"category_help.{c.value}" for c in Category]
    + [f"role.{r.value}" for r in MeetingPlaceRole]
    + [f"source.{s.value}" for s in Source]
    + [f"field.{f.name}" for f in fields(AssetDraft)],
)
def test_keys_built_from_enums_and_fields_exist(key: str) -> None:
    # Built with f-strings in the code (f"category.{value}", Term(f"field.{key}")), so the scan cannot see them.
    assert key in CATALOGUE


def test_t_fills_placeholders_per_language() -> None:
    assert t("cli.imported", "nl", count=3, wijk="Bospolder") == "3 assets geïmporteerd in Bospolder."
    assert t("cli.imported", "en", count=3, wijk="Bospolder") == "3 assets imported into Bospolder."


def test_t_returns_an_unknown_key_itself() -> None:
    assert t("page.does_not_exist", "en") == "page.does_not_exist"


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
