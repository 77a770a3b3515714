"""Adding and editing single assets the way the pages and the CLI do it.

Each use case validates the raw input, checks that the location lies in the
chosen wijk (naming the wijk it does lie in if not) and only then writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from abcd.model import Asset, validate_asset
from abcd.store import Store
from abcd.wijken import Wijk, check_in_wijk, ensure_wijk


def add_asset(
    store: Store, catalogue: dict[str, Wijk], raw: Mapping[str, Any], *, wijken_dir: Path, by: str
) -> Asset:
    """Validate ``raw`` and store it as a new asset in ``raw['wijk']``.

    Raises :class:`~abcd.errors.OutsideWijkError` (with ``params['actual_slug']``)
    when the point lies elsewhere, so the page can offer to save it there.
    """
    draft = validate_asset(raw)
    wijk = ensure_wijk(store, catalogue, draft.wijk, wijken_dir)
    check_in_wijk(catalogue, wijk, draft.lon, draft.lat)
    return store.add(draft, by=by)


def edit_asset(
    store: Store,
    catalogue: dict[str, Wijk],
    asset_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    by: str,
) -> Asset:
    """Apply ``changes`` (raw field values) to an asset edited from ``expected_version``.

    Fields not in ``changes`` keep their stored value. A stale version raises
    :class:`~abcd.errors.ConflictError` and nothing is written.
    """
    current = store.get(asset_id)
    raw: dict[str, Any] = {
        "name": current.name,
        "category": current.category.value,
        "description": current.description,
        "lon": current.lon,
        "lat": current.lat,
        "wijk": current.wijk,
        "resident_led": current.resident_led,
        "meeting_place_role": current.meeting_place_role.value if current.meeting_place_role else None,
        "contact": current.contact,
        "source": current.source.value,
        "area": current.area,
        "id": current.id,
    }
    raw.update(changes)
    # A category change drops the other category's extra fields instead of refusing them.
    if raw["category"] != "initiative":
        raw["resident_led"] = None
    if raw["category"] != "meeting_place":
        raw["meeting_place_role"] = None
    if raw["category"] not in ("initiative", "place"):
        raw["area"] = None
    draft = validate_asset(raw)
    check_in_wijk(catalogue, catalogue.get(draft.wijk) or store.get_wijk(draft.wijk), draft.lon, draft.lat)
    return store.update(asset_id, draft, by=by, expected_version=expected_version)
