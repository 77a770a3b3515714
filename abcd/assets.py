"""What a user may do with assets: add, edit, delete, restore, approve, erase, and see.

Every use case takes the acting :class:`~abcd.permissions.User` and checks the role
first (:func:`~abcd.permissions.require`), then validates, then writes. Pages and
the CLI call these functions; none of them writes to the store directly.

People (category ``person``) are personal data. They never keep a home
location: a person is linked to a club, place or initiative and sits at its
location, or is kept at buurt level, placed at a fixed point inside the buurt
(the point someone tapped or imported is not stored). Only builders and
coordinators see people; everyone else sees counts per buurt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd

from abcd.batches import Undone
from abcd.duplicates import DuplicatesFound, possible_duplicates
from abcd.errors import AbcdError, ImportFileError, OutsideWijkError, ValidationError
from abcd.model import Asset, AssetDraft, Category, Status, validate_asset, with_changes
from abcd.permissions import Permission, PermissionDeniedError, User, require
from abcd.store import Store, assets_to_frame
from abcd.themes import check_known, known_codes
from abcd.wijken import KIND_CBS_BUURT, Wijk, areas_at, areas_to_store, check_in_wijk, ensure_wijk


def buurt_at(catalogue: Mapping[str, Wijk], lon: float, lat: float) -> Wijk | None:
    """The CBS buurt that contains the point, if any."""
    from shapely.geometry import Point

    point = Point(lon, lat)
    for wijk in catalogue.values():
        if wijk.kind == KIND_CBS_BUURT and wijk.boundary.covers(point):
            return wijk
    return None


def place_person(store: Store, catalogue: Mapping[str, Wijk], draft: AssetDraft) -> AssetDraft:
    """Move a person off any personal location: to the linked asset, or to their buurt's anchor point.

    The anchor is the buurt polygon's ``point_on_surface``: the same for every
    resident of the buurt, so it says nothing about where anyone lives.
    """
    if draft.category is not Category.PERSON:
        return draft
    if draft.linked_asset_id:
        linked = _linked(store, draft)
        lon, lat = linked.lon, linked.lat
    else:
        lon, lat = draft.lon, draft.lat
    buurt = buurt_at(catalogue, lon, lat)
    if buurt is None:
        raise OutsideWijkError("error.outside_all", wijk=draft.wijk or "-")
    if not draft.linked_asset_id:
        anchor = buurt.boundary.point_on_surface()
        lon, lat = round(anchor.x, 6), round(anchor.y, 6)
    return replace(draft, lon=lon, lat=lat, buurt=buurt.slug, area=None)


def _linked(store: Store, draft: AssetDraft) -> Asset:
    from abcd.errors import NotFoundError

    try:
        linked = store.get(str(draft.linked_asset_id))
    except NotFoundError:
        raise ValidationError("error.linked_not_found", value=draft.linked_asset_id) from None
    if linked.is_deleted or linked.is_person:
        raise ValidationError("error.linked_not_found", value=draft.linked_asset_id)
    return linked


def relocate_people(store: Store, catalogue: Mapping[str, Wijk]) -> int:
    """Move residents stored before the buurt rule (no ``buurt`` yet) off their point; returns how many.

    ``abcd init`` runs it after every upgrade, so a database from before the
    rule never keeps a resident's exact location.
    """
    moved = 0
    for asset in store.list_assets(category=Category.PERSON, include_deleted=True):
        if asset.buurt is not None:
            continue
        placed = place_person(store, catalogue, asset.draft(linked_asset_id=None))
        store.move_person(asset.id, lon=placed.lon, lat=placed.lat, buurt=str(placed.buurt))
        moved += 1
    return moved


def prepare_drafts(
    store: Store,
    catalogue: Mapping[str, Wijk],
    drafts: Sequence[AssetDraft],
    *,
    user: User,
    row_numbers: Sequence[int] | None = None,
    memberships: Sequence[tuple[str, ...]] | None = None,
) -> list[AssetDraft]:
    """Check rights for every draft and apply the people and moderation rules (used by imports).

    With ``row_numbers`` (one per draft) an error names the row it came from.
    ``memberships`` (one per draft) are the areas each draft's point lies in
    by the catalogue's index, when the caller measured them already (an
    import measures all its points at once); without them each point is
    looked up here.
    """
    prepared = []
    known_themes = known_codes(store) if any(d.themes for d in drafts) else frozenset()
    moderated = store.moderated_areas()
    stored = store.assets_by_id([d.id for d in drafts if d.id])
    stored_areas = store.areas_of(stored)
    for index, draft in enumerate(drafts):
        try:
            check_known(draft.themes, known_themes)
            areas = _areas_of_draft(store, catalogue, draft, None if memberships is None else memberships[index])
            require(user, Permission.EDIT_ASSETS, areas=areas)
            if draft.category is Category.PERSON:
                require(user, Permission.VIEW_PEOPLE, areas=areas)
            current = stored.get(draft.id or "")
            if current is not None:
                # A row with a stored id edits that asset: the user needs the rights
                # on the asset where it is now, and a resident stays a resident.
                _require_in(user, current, stored_areas[current.id], Permission.EDIT_ASSETS)
                _check_person_kept(current, draft)
            placed = place_person(store, catalogue, draft)
        except AbcdError as exc:
            if row_numbers is None:
                raise
            raise ImportFileError("error.row", row=row_numbers[index], message=exc) from exc
        if current is not None:
            placed = replace(placed, status=current.status)  # only a moderator approves
        elif not moderated.isdisjoint(areas) and not user.can_in(Permission.MODERATE, moderated & set(areas)):
            placed = replace(placed, status=Status.PENDING)
        prepared.append(placed)
    return prepared


def _areas_of_draft(
    store: Store, catalogue: Mapping[str, Wijk], draft: AssetDraft, found: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    """The areas a new or moved asset will lie in (``found``, when measured already), and the one it was entered in."""
    areas = areas_at(store, catalogue, draft.lon, draft.lat) if found is None else found
    return (*areas, draft.wijk) if draft.wijk and draft.wijk not in areas else areas


def _check_person_kept(current: Asset, draft: AssetDraft) -> None:
    """A resident cannot become another category (or the reverse): erase instead, so nothing lingers."""
    if current.is_person != (draft.category is Category.PERSON):
        raise ValidationError("error.person_category", value=current.id)


def may_add_at(store: Store, catalogue: Mapping[str, Wijk], user: User, lon: float, lat: float) -> bool:
    """Whether ``user`` may add an asset at ``(lon, lat)``: the rule :func:`add_asset` applies, asked before typing."""
    try:
        require(user, Permission.EDIT_ASSETS, areas=areas_at(store, catalogue, lon, lat))
    except PermissionDeniedError:
        return False
    return True


def add_asset(
    store: Store,
    catalogue: Mapping[str, Wijk],
    raw: Mapping[str, Any],
    *,
    wijken_dir: Path,
    user: User,
    allow_duplicates: bool = True,
) -> Asset:
    """Validate ``raw`` and store it as a new asset in ``raw['wijk']``.

    Raises :class:`~abcd.errors.OutsideWijkError` (with ``params['actual_slug']``)
    when the point lies elsewhere, so the page can offer to save it there.
    Without ``allow_duplicates`` a live asset nearby with a similar name
    (:mod:`abcd.duplicates`) raises :class:`~abcd.duplicates.DuplicatesFound`
    and nothing is stored, so the page can ask first.
    """
    require(user, Permission.EDIT_ASSETS, wijk=str(raw.get("wijk") or ""))
    draft = validate_asset(raw)
    if draft.wijk is not None:
        wijk = ensure_wijk(store, catalogue, draft.wijk, wijken_dir)
        if not draft.linked_asset_id:
            check_in_wijk(catalogue, wijk, draft.lon, draft.lat)
    (draft,) = prepare_drafts(store, catalogue, [draft], user=user)
    if not allow_duplicates and (suspects := possible_duplicates(store, draft)):
        raise DuplicatesFound(suspects)
    return store.add(draft, by=user.username, areas=areas_to_store(store, catalogue, [draft.lon], [draft.lat]))


def edit_asset(
    store: Store,
    catalogue: Mapping[str, Wijk],
    asset_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    user: User,
) -> Asset:
    """Apply ``changes`` (raw field values) to an asset edited from ``expected_version``.

    Fields not in ``changes`` keep their stored value. A stale version raises
    :class:`~abcd.errors.ConflictError` and nothing is written.
    """
    current = store.get(asset_id)
    require_on(store, user, current, Permission.EDIT_ASSETS)
    stored: dict[str, Any] = {**current.raw(), "id": current.id}
    if current.is_person:
        stored["consent"] = store.consent(asset_id)
    draft = validate_asset(with_changes(stored, changes))
    _check_person_kept(current, draft)
    if draft.category is Category.PERSON and draft.consent is None:
        raise ValidationError("error.person_needs_consent")
    unmoved_person = draft.category is Category.PERSON and (draft.lon, draft.lat) == (current.lon, current.lat)
    if not unmoved_person and draft.wijk is not None:
        check_in_wijk(catalogue, catalogue.get(draft.wijk) or store.get_wijk(draft.wijk), draft.lon, draft.lat)
    (draft,) = prepare_drafts(store, catalogue, [draft], user=user)
    draft = replace(draft, status=current.status)  # moderation is about new assets; an edit keeps the status
    if current.is_person and draft.consent == store.consent(asset_id):
        draft = replace(draft, consent=None)  # unchanged consent: keep the recorded one as it is
    areas = areas_to_store(store, catalogue, [draft.lon], [draft.lat])
    return store.update(asset_id, draft, by=user.username, expected_version=expected_version, areas=areas)


def require_on(store: Store, user: User, asset: Asset, permission: Permission) -> None:
    """``user`` may do ``permission`` to ``asset`` where it lies now (and may see it, if it is a resident)."""
    _require_in(user, asset, store.areas_of([asset.id])[asset.id], permission)


def _require_in(user: User, asset: Asset, areas: Iterable[str], permission: Permission) -> None:
    """``user`` may do ``permission`` to ``asset``, which lies in ``areas`` (and may see it, if it is a resident)."""
    require(user, permission, areas=areas)
    if asset.is_person:
        require(user, Permission.VIEW_PEOPLE, areas=areas)


def delete_asset(store: Store, asset_id: str, *, expected_version: int | None, user: User) -> Asset:
    """Soft-delete; the asset can be restored."""
    require_on(store, user, store.get(asset_id), Permission.EDIT_ASSETS)
    return store.delete(asset_id, by=user.username, expected_version=expected_version)


def restore_asset(store: Store, asset_id: str, *, expected_version: int | None, user: User) -> Asset:
    require_on(store, user, store.get(asset_id), Permission.EDIT_ASSETS)
    return store.restore(asset_id, by=user.username, expected_version=expected_version)


def confirm_asset(store: Store, asset_id: str, *, user: User) -> Asset:
    """A builder saw the asset still there today ("nog actief"): it is no longer on the "nog nakijken" list."""
    require_on(store, user, store.get(asset_id), Permission.EDIT_ASSETS)
    return store.confirm(asset_id, by=user.username)


def approve_asset(store: Store, asset_id: str, *, user: User) -> Asset:
    """Publish an asset that waited for approval (coordinators)."""
    require(user, Permission.MODERATE, areas=store.areas_of([asset_id])[asset_id])
    return store.approve(asset_id, by=user.username)


def undo_import(store: Store, batch_id: int, *, user: User) -> Undone:
    """Undo an import (:meth:`abcd.store.Store.undo_import`); ``user`` must be allowed to import where they lie."""
    require(user, Permission.IMPORT)
    ids = [asset_id for asset_id, _, _ in store.import_batch_assets(batch_id)]
    found = store.assets_by_id(ids)
    areas = store.areas_of(list(found))
    for asset in found.values():
        _require_in(user, asset, areas.get(asset.id, frozenset()), Permission.IMPORT)
    return store.undo_import(batch_id, by=user.username)


@dataclass(frozen=True, slots=True)
class Mention:
    """Another record whose text holds a resident's name: an asset (name, description, contact) or an investment's note.

    ``label`` names it for the coordinator who will edit it: the asset's name,
    or the investment's meeting place and date.
    """

    kind: Literal["asset", "investment"]
    id: str
    label: str
    deleted: bool


def name_mentions(store: Store, asset_id: str, *, user: User) -> list[Mention]:
    """The other records, live or deleted, whose text holds the resident's name (coordinators, before erasing).

    Erasure cannot edit them (they are someone else's record); it lists them
    so that a coordinator can (:mod:`abcd.mentions`).
    """
    from abcd.investments.ledger import Ledger
    from abcd.mentions import mentioning

    resident = _resident_to_erase(store, asset_id, user=user)
    others = {a.id: a for a in store.list_assets(include_deleted=True) if a.id != resident.id}
    texts = {a.id: "\n".join((a.name, a.description, a.contact or "")) for a in others.values()}
    found = [Mention("asset", i, others[i].name, others[i].is_deleted) for i in mentioning(resident.name, texts)]
    investments = {i.id: i for i in Ledger(store).list_investments(include_deleted=True)}
    for key in mentioning(resident.name, {i.id: i.note for i in investments.values()}):
        investment = investments[key]
        place = others.get(investment.meeting_place_id)
        label = f"{place.name if place else investment.meeting_place_id} · {investment.date.isoformat()}"
        found.append(Mention("investment", key, label, investment.is_deleted))
    return found


def _resident_to_erase(store: Store, asset_id: str, *, user: User) -> Asset:
    from abcd.errors import NotFoundError

    asset = store.get(asset_id)
    require(user, Permission.ERASE, areas=store.areas_of([asset_id])[asset_id])
    if not asset.is_person:
        raise NotFoundError("error.not_a_person", value=asset_id)
    return asset


def erase_person(store: Store, asset_id: str, *, user: User) -> list[Mention]:
    """Erase a resident and every personal field of them, for good (coordinators).

    Returns the other records that still hold their name (:func:`name_mentions`,
    looked up before the erasure): they are left as they are, to be edited.
    """
    mentions = name_mentions(store, asset_id, user=user)
    store.erase(asset_id, by=user.username)
    return mentions


def set_moderation(store: Store, wijk: str, required: bool, *, user: User) -> None:
    """Require (or stop requiring) approval of new assets in ``wijk``."""
    require(user, Permission.MODERATE, wijk=wijk)
    store.set_requires_approval(wijk, required)


def visible_assets(store: Store, *, wijk: str, user: User, deleted_only: bool = False) -> list[Asset]:
    """The assets that lie in ``wijk`` that this user may see.

    People only for those who may see them, pending assets only for those who
    may moderate or edit, contact details only for those who may see them:
    each decided where the asset lies, so a builder of BoTu sees BoTu's
    residents also in the view of the CBS wijk Delfshaven around it.
    """
    if deleted_only and not user.can(Permission.EDIT_ASSETS):
        return []  # what was deleted is not public: it may have been deleted for a reason
    items = store.list_assets(wijk=wijk, deleted_only=deleted_only)
    areas = store.areas_of([a.id for a in items]) if user.wijken else {}

    def may(permission: Permission, asset: Asset) -> bool:
        return user.can_in(permission, areas.get(asset.id, ())) if user.wijken else user.can(permission)

    shown = [
        a
        for a in items
        if (not a.is_person or may(Permission.VIEW_PEOPLE, a))
        and (not a.is_pending or may(Permission.VIEW_PENDING, a))
        and (not deleted_only or may(Permission.EDIT_ASSETS, a))
    ]
    return [a if not a.contact or may(Permission.VIEW_CONTACT, a) else replace(a, contact=None) for a in shown]


def map_frame(store: Store, *, wijk: str, user: User) -> gpd.GeoDataFrame:
    """What a map may show: visible assets without people (they are counted per buurt instead)."""
    return assets_to_frame([a for a in visible_assets(store, wijk=wijk, user=user) if not a.is_person])


def people_counts(store: Store, *, wijk: str) -> list[tuple[str, str]]:
    """People per buurt as ``(buurt slug, shown count)``, small counts shown as ``"<5"``.

    Safe for every role: no names, no points, and small groups are not identifiable.
    """
    from abcd.people import shown_count

    counts: dict[str, int] = {}
    for asset in store.list_assets(wijk=wijk, category=Category.PERSON):
        if not asset.is_pending:
            counts[asset.buurt or "-"] = counts.get(asset.buurt or "-", 0) + 1
    return [(buurt, shown_count(n)) for buurt, n in sorted(counts.items())]
