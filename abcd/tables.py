"""Assets and their history as display tables, in the reader's language.

Pure: a list of assets in, a :class:`pandas.DataFrame` out; the pages show
it with ``st.dataframe`` (text, never HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from abcd.i18n import Lang, t
from abcd.i18n.formats import format_datetime
from abcd.model import Asset, AssetFields, Source
from abcd.records import HistoryEntry, declared_fields, field_info


def source_label(source: Source, lang: Lang) -> str:
    """The source as shown; examples say loudly that they are invented."""
    return t(f"source.{source.value}", lang)


def asset_table(items: Sequence[Asset], lang: Lang) -> pd.DataFrame:
    """One row per asset: id and category code (for filtering) plus readable columns."""
    return pd.DataFrame(
        {
            "id": [a.id for a in items],
            "name": [a.name for a in items],
            "category": [a.category.value for a in items],
            "category_label": [a.category.label(lang) for a in items],
            "description": [a.description for a in items],
            "source": [source_label(a.source, lang) for a in items],
            "updated_at": [format_datetime(a.updated_at, lang) for a in items],
            "version": [a.version for a in items],
        },
        columns=["id", "name", "category", "category_label", "description", "source", "updated_at", "version"],
    )


# Personal fields: a history table says that they changed, never to what.
PRIVATE_FIELDS = frozenset(f.name for f in declared_fields(AssetFields) if field_info(f).private)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    return str(value)


def change_table(
    entries: Sequence[HistoryEntry],
    lang: Lang,
    *,
    label: Callable[[str], str] | None = None,
    shown: Callable[[str, object], str] | None = None,
) -> pd.DataFrame:
    """One row per change: version, action, who, when and ``field: old → new`` per changed field.

    ``label`` names a field (default: its ``field.*`` catalogue entry) and
    ``shown`` formats a value (default: as text, ``–`` when empty). Private
    fields are listed as changed without their values.
    """

    def name_of(field: str) -> str:
        if field == "deleted":
            return t("history.deleted", lang)
        return label(field) if label is not None else t(f"field.{field}", lang)

    def value_of(field: str, value: object) -> str:
        return shown(field, value) if shown is not None else _shown(value)

    rows = []
    for entry in entries:
        old, new = entry.old or {}, entry.new or {}
        changes = (
            ""
            if entry.action == "create"
            else "; ".join(
                f"{name_of(field)}: " + ("•••" if field in PRIVATE_FIELDS else _change(field, old, new, value_of))
                for field in entry.changed_fields()
            )
        )
        rows.append(
            {
                t("field.version", lang): entry.version,
                t("history.action", lang): t(f"history.{entry.action}", lang),
                t("field.by", lang): entry.changed_by,
                t("history.when", lang): format_datetime(entry.changed_at, lang, seconds=True),
                t("history.changes", lang): changes,
            }
        )
    return pd.DataFrame(rows)


def _change(field: str, old: dict[str, Any], new: dict[str, Any], value_of: Callable[[str, object], str]) -> str:
    return f"{value_of(field, old.get(field))} → {value_of(field, new.get(field))}"


def history_table(entries: Sequence[HistoryEntry], lang: Lang) -> pd.DataFrame:
    """The change history of an asset, in the reader's language."""
    return change_table(entries, lang)
