"""Investment files: import a ledger from CSV (every row checked first, then one transaction) and
write the per-wijk summary as CSV.

An import row names its meeting place by ``meeting_place_id`` or by its exact
name (``meeting_place``) within the row's wijk (the ``wijk`` column, else the
default wijk). Every row is validated and resolved before anything is
stored; the first bad row stops the import, and the message names it by its
spreadsheet line (the header is line 1).
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from abcd._formulas import neutralise_formula, restore_formula
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.i18n import Term
from abcd.investments.ledger import Ledger
from abcd.investments.model import InvestmentDraft, validate_investment
from abcd.investments.summary import SUMMARY_FIGURES
from abcd.io import MAX_FILE_BYTES, MAX_ROWS, RawRow, atomic_path, check_file, open_csv
from abcd.model import Asset
from abcd.permissions import CLI_USER, Permission, User, require
from abcd.store import Store
from abcd.wijken import Wijk, find_wijk

IMPORT_COLUMNS = (
    "meeting_place_id",
    "meeting_place",
    "wijk",
    "date",
    "amount_eur",
    "funder",
    "kind",
    "space_m2",
    "hours_per_week",
    "note",
)
REQUIRED_COLUMNS = ("date", "funder")

SUMMARY_CSV_COLUMNS = ("wijk", *SUMMARY_FIGURES)
"""The columns of ``abcd investments summary --out FILE.csv``, in this order."""


@dataclass(frozen=True, slots=True)
class InvestmentImport:
    """What an import stored: how many entries, their total in cents, in which wijken."""

    count: int
    total_cents: int
    wijken: tuple[str, ...]


# ---------------------------------------------------------------- reading
def read_investment_rows(path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS) -> list[RawRow]:
    """Raw rows of an investment CSV; ``,``, ``;`` or tab separated, UTF-8 (with or without BOM).

    Read as every CSV file is (:func:`abcd.io.open_csv`): streamed within the
    limits, with the quote a CSV export puts before a formula taken off again.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise ImportFileError("error.file_format", suffix=path.suffix or path.name, allowed=".csv")
    check_file(path, max_bytes=max_bytes)
    rows: list[RawRow] = []
    with open_csv(path, delimiter=_delimiter) as records:
        _check_columns(records.columns)
        for number, record in records:
            if None in record:  # more cells than columns: a separator inside an unquoted value
                raise ImportFileError(
                    "error.row", row=number, message=ImportFileError("error.extra_cells", columns=records.delimiter)
                )
            values = {k: (v.strip() if isinstance(v, str) else v) for k, v in record.items() if k is not None}
            if not any(values.values()):
                continue  # a blank line at the end of a spreadsheet export
            rows.append(RawRow(number, values))
            if len(rows) > max_rows:
                raise ImportFileError("error.too_many_rows", count=f"> {max_rows}", max=max_rows)
    if not rows:
        raise ImportFileError("error.empty_file")
    return rows


def _delimiter(sample: str) -> str:
    """The separator that makes the header into known columns (amounts like "25.000,50" mislead a sniffer)."""
    if not sample.strip():
        raise ImportFileError("error.empty_file")
    header = sample.splitlines()[0]
    return max(",;\t", key=lambda d: sum(c.strip().lower() in IMPORT_COLUMNS for c in header.split(d)))


def _check_columns(columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in IMPORT_COLUMNS]
    if unknown:
        raise ImportFileError("error.unknown_columns", columns=", ".join(unknown), allowed=", ".join(IMPORT_COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if "meeting_place_id" not in columns and "meeting_place" not in columns:
        missing.append("meeting_place_id / meeting_place")
    if "amount_eur" not in columns and "space_m2" not in columns and "hours_per_week" not in columns:
        missing.append("amount_eur")
    if missing:
        raise ImportFileError("error.missing_columns", columns=", ".join(missing), found=", ".join(columns) or "-")


# ------------------------------------------------------------- validating
def drafts_from_rows(
    rows: Sequence[RawRow],
    *,
    places: Sequence[Asset],
    areas: Mapping[str, frozenset[str]],
    catalogue: Mapping[str, Wijk],
    default_wijk: str,
) -> list[InvestmentDraft]:
    """Validate raw rows into drafts and resolve their meeting places; the first bad row raises, naming it.

    ``places`` are the meeting places known (deleted ones too, so the message
    can say so), with the ``areas`` each lies in. A row's wijk is its ``wijk``
    value or ``default_wijk``; its meeting place must lie in that wijk.
    """
    by_id = {p.id: p for p in places}
    drafts: list[InvestmentDraft] = []
    for row in rows:
        try:
            values = dict(row.values)
            wijk = _row_wijk(values, catalogue, default_wijk)
            place = _resolve_place(values, wijk, places, by_id, areas, catalogue)
            values["meeting_place_id"] = place.id
            drafts.append(validate_investment(values))
        except AbcdError as exc:
            raise ImportFileError("error.row", row=row.number, message=exc) from exc
    return drafts


def _row_wijk(values: Mapping[str, Any], catalogue: Mapping[str, Wijk], default_wijk: str) -> Wijk:
    return find_wijk(catalogue, str(values.get("wijk") or default_wijk))


def _resolve_place(
    values: Mapping[str, Any],
    wijk: Wijk,
    places: Sequence[Asset],
    by_id: Mapping[str, Asset],
    areas: Mapping[str, frozenset[str]],
    catalogue: Mapping[str, Wijk],
) -> Asset:
    def inside(place: Asset) -> bool:
        return wijk.slug in areas.get(place.id, frozenset())

    def where(place: Asset) -> str:
        """The areas the place lies in, of ``wijk``'s kind where it has them, for a message."""
        all_areas = sorted(areas.get(place.id, ()))
        same = [s for s in all_areas if s in catalogue and catalogue[s].kind == wijk.kind]
        return ", ".join(same or all_areas) or "-"

    place_id = (values.get("meeting_place_id") or "").strip()
    name = " ".join(str(values.get("meeting_place") or "").split())
    if place_id:
        place = by_id.get(place_id.lower())
        if place is None:
            raise ValidationError("error.meeting_place_unknown_id", value=place_id)
        if name and name != place.name:
            raise ValidationError("error.meeting_place_mismatch", value=place_id, name=name, actual=place.name)
    elif name:
        matches = [p for p in places if inside(p) and p.name == name and not p.is_deleted]
        if not matches:
            matches = [p for p in places if inside(p) and p.name == name]  # only deleted ones?
        if not matches:
            elsewhere = sorted({where(p) for p in places if p.name == name and not p.is_deleted})
            if elsewhere:
                raise ValidationError(
                    "error.meeting_place_other_wijk", name=name, actual=", ".join(elsewhere), wijk=wijk.slug
                )
            known = sorted({p.name for p in places if inside(p) and not p.is_deleted})[:8]
            raise ValidationError(
                "error.meeting_place_unknown", value=name, wijk=wijk.name, known=", ".join(known) or "-"
            )
        if len(matches) > 1:
            raise ValidationError(
                "error.meeting_place_ambiguous",
                value=name,
                count=len(matches),
                wijk=wijk.name,
                ids=", ".join(p.id for p in matches),
            )
        place = matches[0]
    else:
        raise ValidationError("error.required", field=Term("field.meeting_place"))
    if not inside(place):
        raise ValidationError("error.meeting_place_other_wijk", name=place.name, actual=where(place), wijk=wijk.slug)
    return place


def import_investments(
    store: Store,
    path: Path,
    *,
    catalogue: Mapping[str, Wijk],
    default_wijk: str,
    by: str | None = None,
    user: User = CLI_USER,
    max_bytes: int = MAX_FILE_BYTES,
) -> InvestmentImport:
    """Import an investment CSV into the ledger: all rows, or none.

    ``user`` must be allowed to edit investments (the command line acts as
    the local administrator); ``by`` is the name recorded in the history.
    """
    require(user, Permission.EDIT_INVESTMENTS)
    rows = read_investment_rows(Path(path), max_bytes=max_bytes)
    ledger = Ledger(store)
    places = ledger.meeting_places(include_deleted=True)
    areas = store.areas_of([p.id for p in places])
    drafts = drafts_from_rows(rows, places=places, areas=areas, catalogue=catalogue, default_wijk=default_wijk)
    try:
        created = ledger.add_many(drafts, by=by or user.username)
    except AbcdError as exc:  # a place deleted between the check and the write
        raise ImportFileError("error.row", row="?", message=exc) from exc
    return InvestmentImport(
        count=len(created),
        total_cents=sum(i.amount_cents for i in created),
        wijken=tuple(sorted({_row_wijk(r.values, catalogue, default_wijk).slug for r in rows})),
    )


# ---------------------------------------------------------------- writing
def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str | Decimal) and pd.isna(value)):
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def summary_records(summary: pd.DataFrame) -> list[dict[str, str]]:
    """The summary's rows as CSV cells: slugs, plain integers, euros with a dot and two decimals.

    Empty cells mean "unknown": no population, so no per-1,000 figures. Text
    a spreadsheet would evaluate as a formula is neutralised (numbers stay
    numbers; :mod:`abcd._formulas`).
    """
    records = []
    for slug, row in summary.iterrows():
        record = {"wijk": str(slug)}
        for column in SUMMARY_CSV_COLUMNS[1:]:
            record[column] = _cell(row[column])
        records.append({column: str(neutralise_formula(cell)) for column, cell in record.items()})
    return records


def summary_csv_bytes(summary: pd.DataFrame) -> bytes:
    """The summary as UTF-8 CSV text (for a download button and :func:`write_summary_csv`)."""
    buffer = _io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(SUMMARY_CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_records(summary))
    return buffer.getvalue().encode("utf-8")


def write_summary_csv(summary: pd.DataFrame, path: Path) -> int:
    """Write the summary to ``path`` (replaced only once complete); returns the number of wijken."""
    with atomic_path(Path(path)) as temporary:
        temporary.write_bytes(summary_csv_bytes(summary))
    return len(summary)


def read_summary_csv(path: Path) -> pd.DataFrame:
    """A summary CSV read back with exact euros (Decimal) and integer counts; for checks and notebooks."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).map(restore_formula).set_index("wijk")
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        cells = frame[column]
        if column.startswith("eur_"):
            out[column] = [Decimal(c) if c else None for c in cells]
        elif column in ("inwoners", "standard_places", "resident_places"):
            out[column] = pd.array([int(c) if c else None for c in cells], dtype="Int64")
        else:
            out[column] = [float(c) if c else float("nan") for c in cells]
    return out


__all__ = [
    "IMPORT_COLUMNS",
    "SUMMARY_CSV_COLUMNS",
    "InvestmentImport",
    "drafts_from_rows",
    "import_investments",
    "read_investment_rows",
    "read_summary_csv",
    "summary_csv_bytes",
    "summary_records",
    "write_summary_csv",
]
