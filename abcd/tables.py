"""Assets and their history as display tables, in the reader's language.

Pure: a list of assets in, a :class:`pandas.DataFrame` out; the pages show
it with ``st.dataframe`` (text, never HTML).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from abcd.i18n import Lang, t
from abcd.model import Asset, Source
from abcd.store import HistoryEntry


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
            "updated_at": [a.updated_at.strftime("%Y-%m-%d %H:%M") for a in items],
            "version": [a.version for a in items],
        },
        columns=["id", "name", "category", "category_label", "description", "source", "updated_at", "version"],
    )


PRIVATE_FIELDS = frozenset({"contact"})


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    return str(value)


def history_table(entries: Sequence[HistoryEntry], lang: Lang) -> pd.DataFrame:
    """One row per change: version, action, who, when and ``field: old → new`` per changed field."""
    rows = []
    for entry in entries:
        old, new = entry.old or {}, entry.new or {}
        if entry.action == "create":
            changes = ""
        else:
            changes = "; ".join(
                f"{t(f'field.{name}', lang) if name != 'deleted' else t('history.deleted', lang)}: "
                + ("•••" if name in PRIVATE_FIELDS else f"{_shown(old.get(name))} → {_shown(new.get(name))}")
                for name in entry.changed_fields()
            )
        rows.append(
            {
                t("field.version", lang): entry.version,
                t("history.action", lang): t(f"history.{entry.action}", lang),
                t("field.by", lang): entry.changed_by,
                t("history.when", lang): entry.changed_at.strftime("%Y-%m-%d %H:%M:%S"),
                t("history.changes", lang): changes,
            }
        )
    return pd.DataFrame(rows)
