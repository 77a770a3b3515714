"""The ``abcd`` command: set-up, import, export and listing from a terminal.

It calls the same functions as the pages. Messages follow ``ABCD_LANG``
(Dutch by default); user errors print one clear line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from abcd.config import DEFAULT_WIJK, Settings, settings_from_env
from abcd.errors import AbcdError, storage_error
from abcd.i18n import LANGUAGES, Term, normalise_lang, t
from abcd.model import Category
from abcd.permissions import CLI_USER, Role

if TYPE_CHECKING:
    from abcd.fieldforms.exports import PhotoImport
    from abcd.portrait.data import ReportData
    from abcd.store import Store
    from abcd.wijken import Catalogue

Handler = Callable[[argparse.Namespace, Settings], int]
FIRST_ACCOUNT = "beheer"


# Each command imports what it needs when it runs: `abcd --help` and
# `abcd gaps` on files load neither the database layer nor Alembic.
def _store(settings: Settings) -> Store:
    """The store of every command but ``init`` and ``migrate``: upgraded on SQLite, only checked on PostgreSQL."""
    from abcd.store import Store

    return Store.open_checked(settings.database_url)


def _catalogue(settings: Settings, store: Store) -> Catalogue:
    """The shipped wijken and the areas users added to this database."""
    from abcd.wijken import full_catalogue

    return full_catalogue(store, settings.wijken_dir)


def _actor(args: argparse.Namespace) -> str:
    if getattr(args, "by", None):
        return str(args.by)
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _shown(text: str) -> str:
    r"""``text`` safe for a terminal: every unprintable character (ESC, a bidi control, ...) as its escape.

    >>> print(_shown("ans\x1b[2J\u202e"))
    ans\x1b[2J\u202e
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database, onboard the default wijk and (once) its examples."""
    from abcd import accounts
    from abcd.assets import relocate_people
    from abcd.db import current_revision
    from abcd.examples import load_examples
    from abcd.store import Store
    from abcd.wijken import find_wijk, onboard_wijk

    store = Store.open(settings.database_url)  # creates or upgrades, under the schema lock
    revision = current_revision(store.engine)
    print(t("cli.db_ready", settings.lang, url=_safe_url(settings.database_url), revision=revision))
    catalogue = _catalogue(settings, store)
    moved = relocate_people(store, catalogue)
    if moved:
        print(t("cli.people_relocated", settings.lang, n=moved))
    wijk = find_wijk(catalogue, args.wijk)
    if args.refresh or not store.has_wijk(wijk.slug):
        streets = onboard_wijk(store, wijk, settings.wijken_dir)
        print(t("cli.wijk_loaded", settings.lang, name=wijk.name, streets=streets, population=wijk.population))
    if not args.no_examples and wijk.slug == DEFAULT_WIJK:
        added = load_examples(store)
        if added:
            print(t("cli.examples_loaded", settings.lang, n=added, wijk=wijk.name))
    from abcd.walks.register import reduce_old_walks

    reduced = reduce_old_walks(store, keep_months=settings.walk_retention_months)  # tracks past their retention
    if reduced:
        print(t("cli.walks_reduced", settings.lang, n=reduced, months=settings.walk_retention_months))
    if not accounts.list_accounts(store):
        # A fresh install needs one person who can add assets and create accounts.
        password = secrets.token_urlsafe(12)
        accounts.add_user(store, FIRST_ACCOUNT, role=Role.COORDINATOR, password=password)
        print(t("cli.first_account", settings.lang, username=FIRST_ACCOUNT, password=password))
    return 0


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the schema, once, under a lock: the step before (re)starting the app servers."""
    from abcd.db import engine_from_url, migrate_schema
    from abcd.store import Store

    engine = engine_from_url(settings.database_url)
    try:
        done = migrate_schema(engine)
    finally:
        engine.dispose()
    Store.open(settings.database_url).close()  # finishes what an upgrade leaves to do (assets placed in new areas)
    url = _safe_url(settings.database_url)
    if done.before is None:
        print(t("cli.migrated_new", settings.lang, url=url, after=done.after))
    elif done.upgraded:
        print(t("cli.migrated", settings.lang, url=url, before=done.before, after=done.after))
    else:
        print(t("cli.migrate_current", settings.lang, url=url, revision=done.after))
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    """Local accounts: add, list, set-role, password, remove (the CLI is the local administrator)."""
    from abcd import accounts

    store = _store(settings)
    if args.action == "list":
        for account in accounts.list_accounts(store):
            wijken = ",".join(sorted(account.wijken)) or "*"
            locked = account.locked_until.isoformat(timespec="minutes") if account.locked_until else ""
            kind = "sso" if account.sso_only else "password"
            print(f"{_shown(account.username)}\t{account.role.value}\t{_shown(wijken)}\t{kind}\t{locked}")
        return 0
    if not args.username:
        raise AbcdError("error.required", field=Term("field.username"))
    if args.action == "add":
        password = None if args.sso else (args.password or _ask_password(settings))
        accounts.add_user(
            store, args.username, role=args.role or Role.BUILDER, password=password, wijken=args.wijken or ""
        )
    elif args.action == "set-role":
        if not args.role:
            raise AbcdError("error.required", field=Term("field.role"))
        accounts.set_role(store, args.username, args.role, wijken=args.wijken)
    elif args.action == "password":
        accounts.set_password(store, args.username, args.password or _ask_password(settings))
    else:
        accounts.remove_user(store, args.username)
    print(t("cli.users_done", settings.lang, username=_shown(args.username.strip().lower())))
    return 0


def _ask_password(settings: Settings) -> str:
    first = getpass.getpass(t("cli.password_prompt", settings.lang))
    if getpass.getpass(t("cli.password_again", settings.lang)) != first:
        raise AbcdError("error.password_mismatch")
    return first


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd gaps``: street coverage by resident initiatives, for a stored wijk or for files."""
    from abcd import gaps
    from abcd.gaps import files as gap_files

    wijk_name = None
    not_walkable = 0
    try:
        if args.wijk and not (args.streets or args.assets):
            from abcd.gapmap import wijk_coverage
            from abcd.wijken import ensure_wijk

            store = _store(settings)
            wijk = ensure_wijk(store, _catalogue(settings, store), args.wijk, settings.wijken_dir)
            if store.streets(wijk.slug).empty:
                raise AbcdError("error.gaps_no_streets", wijk=wijk.name, slug=wijk.slug)
            _check_theme(store, args.theme)
            coverage = wijk_coverage(
                store,
                wijk.slug,
                distance_m=args.distance,
                mode=args.mode,
                theme=args.theme,
                active_since=_active_since(args, settings),
            )
            from abcd.walks.register import last_walked
            from abcd.walks.streets import with_last_walked

            coverage = with_last_walked(coverage, last_walked(store, wijk.slug))  # the files carry last_walked
            wijk_name = wijk.name
        elif args.streets and args.assets and not args.wijk:
            from abcd.model import RD_NEW

            streets, not_walkable = gap_files.read_streets(Path(args.streets))
            if streets.crs is not None and not streets.crs.equals(RD_NEW):
                streets = streets.to_crs(RD_NEW)  # once: analysis, summary and figures all measure in RD New
            initiatives = gap_files.read_initiatives(Path(args.assets), theme=args.theme)
            coverage = gaps.street_coverage(streets, initiatives, distance_m=args.distance, mode=args.mode)
        else:
            raise AbcdError("error.gaps_args")
    except gaps.GapInputError as exc:
        raise AbcdError("error.gaps_input", reason=str(exc)) from exc
    run = gap_files.GapRun.of(coverage, wijk=wijk_name, theme=args.theme)
    gap_files.write_gaps(coverage, Path(args.out), run=run, lang=args.lang or settings.lang)
    figures = gaps.wijk_figures(coverage)
    print(
        t(
            "cli.gaps_written",
            settings.lang,
            n=figures.segments,
            mode=t(f"gaps.mode.{args.mode}", settings.lang),
            distance=f"{args.distance:g}",
            share=f"{figures.share_length_needs_support:.0%}",
            path=args.out,
        )
    )
    if not_walkable:
        print(t("cli.gaps_not_walkable", settings.lang, n=not_walkable))
    return 0


def _active_since(args: argparse.Namespace, settings: Settings) -> date | None:
    """Count only initiatives confirmed within ``ABCD_STALE_MONTHS`` (:mod:`abcd.freshness`), unless asked for all."""
    if args.all_initiatives:
        return None
    from abcd.freshness import stale_before
    from abcd.i18n.formats import local_today

    return stale_before(local_today(), settings.stale_months)


def _check_theme(store: Store, theme: str | None) -> None:
    """Refuse a theme nobody declared before any work is done (a typo must not give an empty gap map)."""
    if theme is not None:
        from abcd.themes import check_known, known_codes

        check_known([theme], known_codes(store))


def cmd_themes(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd themes``: the themes initiatives can carry; ``add`` declares a wijk's own (a coordinator's job)."""
    from abcd import themes

    store = _store(settings)
    if args.action == "add":
        if not args.code:
            raise AbcdError("error.required", field=Term("field.theme_code"))
        theme = themes.add_theme(store, args.code, label_nl=args.nl or "", label_en=args.en or "", user=CLI_USER)
        print(t("cli.theme_added", settings.lang, code=theme.code, label=_shown(theme.label(settings.lang))))
        return 0
    for theme in themes.list_themes(store):
        kind = "built-in" if theme.built_in else "own"
        print(f"{theme.code}\t{_shown(theme.label('nl'))}\t{_shown(theme.label('en'))}\t{kind}")
    return 0


def cmd_effort(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd effort``: a stored wijk's effort plan (more where residents have no initiative), to CSV or GeoJSON."""
    from abcd import effort, gaps
    from abcd.effort.saved import latest_plan, save_plan
    from abcd.gapmap import wijk_coverage
    from abcd.i18n.formats import format_number
    from abcd.wijken import ensure_wijk

    lang = args.lang or settings.lang
    store = _store(settings)
    wijk = ensure_wijk(store, _catalogue(settings, store), args.wijk, settings.wijken_dir)
    if store.streets(wijk.slug).empty:
        raise AbcdError("error.gaps_no_streets", wijk=wijk.name, slug=wijk.slug)
    _check_theme(store, args.theme)
    total, floor = effort.parse_total(args.total), effort.check_floor(args.floor)  # before minutes of analysis
    period: effort.Period = args.period or ("week" if args.unit == "uur" else "jaar")
    try:
        coverage = wijk_coverage(
            store,
            wijk.slug,
            distance_m=args.distance,
            mode=args.mode,
            theme=args.theme,
            active_since=_active_since(args, settings),
        )
    except gaps.GapInputError as exc:
        raise AbcdError("error.gaps_input", reason=str(exc)) from exc
    segments = effort.plan_segments(coverage, total=total, floor=floor)
    run = effort.EffortRun.of(
        coverage, total=total, unit=args.unit, period=period, floor=floor, wijk=wijk.name, theme=args.theme
    )
    effort.write_plan(segments, Path(args.out), run=run, lang=lang)
    streets = effort.plan_streets(segments, unnamed=t("gaps.unnamed_road", lang))
    more = int((streets["change_vs_average"] > 0).sum())
    print(
        t(
            "cli.effort_written",
            settings.lang,
            wijk=wijk.name,
            total=format_number(total, settings.lang),
            unit=effort.unit_label(args.unit, settings.lang),
            period=effort.period_label(period, settings.lang),
            streets=len(streets),
            more=more,
            path=args.out,
        )
    )
    previous = latest_plan(store, wijk.slug, args.theme)
    if previous is not None:
        changes = effort.compare_plans(streets, previous.streets)
        print(
            t(
                "cli.effort_compared",
                settings.lang,
                day=previous.run.day.isoformat(),
                up=int((changes["change"] > 0).sum()),
                down=int((changes["change"] < 0).sum()),
                started=len({i for ids in changes["started"] for i in ids}),
                stopped=len({i for ids in changes["stopped"] for i in ids}),
            )
        )
    if args.save:
        saved = save_plan(store, wijk.slug, run, streets, user=replace(CLI_USER, username=_actor(args)))
        print(t("cli.effort_saved", settings.lang, id=saved.id))
    return 0


def cmd_link(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd link FROM TO --kind KIND``: connect two assets (see ``abcd.connections``)."""
    from abcd.connections.register import link

    store = _store(settings)
    raw = {"from_id": args.from_id, "to_id": args.to_id, "kind": args.kind, "note": args.note or ""}
    connection = link(store, raw, user=replace(CLI_USER, username=_actor(args)))
    print(connection.id)
    return 0


def cmd_unlink(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd unlink FROM TO [--kind KIND]``, or ``abcd unlink CONNECTION_ID``: remove a connection (with history)."""
    from abcd.connections.register import find_connection, unlink

    store = _store(settings)
    if args.to_id is None:
        connection_id = args.from_id
    else:
        connection_id = find_connection(store, args.from_id, args.to_id, args.kind).id
    unlink(store, connection_id, user=replace(CLI_USER, username=_actor(args)))
    print(t("cli.unlinked", settings.lang, id=connection_id))
    return 0


def cmd_connections(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd connections [--wijk SLUG]``: one line per connection: id, kind, from, to (names and ids)."""
    from abcd.connections.register import visible_connections

    store = _store(settings)
    assets = store.list_assets(wijk=args.wijk) if args.wijk else store.list_assets()
    names = {a.id: a.name for a in assets}
    for c in visible_connections(store, assets, user=CLI_USER):
        line = [c.id, c.kind.value, c.from_id, _shown(names[c.from_id]), c.to_id, _shown(names[c.to_id])]
        print("\t".join([*line, _shown(c.note)] if c.note else line))
    return 0


def cmd_photo(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd photo add|get|list|remove``: photos of assets (see ``abcd.photos.cli``)."""
    from abcd.photos.cli import run

    return run(args, settings, _store(settings), user=replace(CLI_USER, username=_actor(args)))


def cmd_walks(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd walks import|list|streets|reduce``: builders' walks (see ``abcd.walks.cli``)."""
    from abcd.walks.cli import run

    return run(args, settings, _store(settings))


def cmd_osm(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd osm import FILE --wijk SLUG``: OpenStreetMap places as candidates awaiting approval (``abcd.osm``)."""
    from abcd.osm import attribution
    from abcd.osm.candidates import import_candidates

    store = _store(settings)
    catalogue = _catalogue(settings, store)
    lang = settings.lang
    try:
        result = import_candidates(
            store, Path(args.file), wijk=args.wijk, catalogue=catalogue, wijken_dir=settings.wijken_dir, by=_actor(args)
        )
    except AbcdError as exc:
        raise AbcdError("error.nothing_imported", message=exc) from exc
    print(t("osm.created", lang, n=result.created, wijk=result.wijk))
    print(t("osm.updated", lang, n=result.updated))
    print(t("osm.left_alone", lang, n=result.left_alone))
    print(t("osm.duplicates", lang, n=result.duplicates))
    for key, count in (
        ("osm.unchanged", result.unchanged),
        ("osm.unnamed_skipped", result.unnamed),
        ("osm.unusable", result.unusable),
    ):
        if count:
            print(t(key, lang, n=count))
    if not (result.created or result.updated or result.unchanged or result.left_alone or result.duplicates):
        print(t("osm.none_in_wijk", lang, wijk=result.wijk))
    print(attribution(lang))
    _print_batch(result.batch, lang)
    return 0


def cmd_compact(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd compact``: rewrite the database so erased text is gone from its files (SQLite: also the log)."""
    _store(settings).compact()
    print(t("cli.compacted", settings.lang))
    return 0


def cmd_person(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd person erase ID``: erase a resident and every personal field; list where their name still stands."""
    from abcd.assets import erase_person

    store = _store(settings)
    mentions = erase_person(store, args.id, user=CLI_USER)
    print(t("cli.person_erased", settings.lang, id=_shown(args.id)))
    if mentions:
        print(t("cli.erase_mentions", settings.lang, n=len(mentions)))
    for mention in mentions:
        deleted = f"\t{t('mention.deleted', settings.lang)}" if mention.deleted else ""
        print(f"  {mention.id}\t{mention.kind}\t{_shown(mention.label)}{deleted}")
    return 0


def cmd_near(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd near``: the public assets within a distance of one street of a wijk, nearest first.

    Where more effort could start from: who is already close to a gap street.
    Residents (category person) and assets waiting for approval are never listed.
    """
    from abcd.examples import EXAMPLE_SUFFIX
    from abcd.model import Category, Source
    from abcd.wijken import ensure_wijk

    if not 1 <= args.distance <= 2000:
        raise AbcdError("error.near_distance", value=f"{args.distance:g}")
    store = _store(settings)
    wijk = ensure_wijk(store, _catalogue(settings, store), args.wijk, settings.wijken_dir)
    if args.street not in set(store.streets(wijk.slug)["name"].dropna()):
        raise AbcdError("error.near_unknown_street", street=args.street, wijk=wijk.name)
    found = [
        (asset, metres)
        for asset, metres in store.assets_near_street(wijk.slug, args.street, args.distance)
        if asset.category is not Category.PERSON and not asset.is_pending
    ]
    lang = settings.lang
    if not found:
        print(t("cli.near_none", lang, street=args.street, wijk=wijk.name, distance=f"{args.distance:g}"))
        return 0
    print(t("cli.near_title", lang, n=len(found), street=args.street, wijk=wijk.name, distance=f"{args.distance:g}"))
    for asset, metres in found:
        # Examples carry the mark in their name already; one renamed without it gets it here.
        unmarked = asset.source is Source.EXAMPLE and not asset.name.endswith(EXAMPLE_SUFFIX)
        print(f"{metres:>7.0f} m  {asset.category.label(lang)}: {asset.name}{EXAMPLE_SUFFIX if unmarked else ''}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from abcd import exchange
    from abcd.duplicates import DuplicatesFound
    from abcd.mapping import ImportMapping, mapping_from_options, write_mapping
    from abcd.wijken import find_wijk

    mapping = mapping_from_options(
        mapping_file=Path(args.mapping) if args.mapping else None,
        maps=args.map or (),
        category_map=Path(args.category_map) if args.category_map else None,
        default_category=args.category,
        crs=args.crs,
    )
    if args.save_mapping:  # before the import: a mapping that still lacks values can be completed by hand
        write_mapping(mapping or ImportMapping(), Path(args.save_mapping))
        print(t("cli.mapping_saved", settings.lang, path=args.save_mapping))
    store = _store(settings)
    catalogue = _catalogue(settings, store)
    default = find_wijk(catalogue, args.wijk).slug if args.wijk else None
    try:
        result = exchange.import_assets(
            store,
            Path(args.file),
            catalogue=catalogue,
            wijken_dir=settings.wijken_dir,
            default_wijk=default,
            by=_actor(args),
            overwrite=args.overwrite,
            lang=settings.lang,
            duplicates=args.duplicates or "ask",
            mapping=mapping,
        )
    except DuplicatesFound as exc:  # every pair on its own line, then how to choose
        raise AbcdError("error.duplicates_cli", message=exc) from exc
    except AbcdError as exc:
        raise AbcdError("error.nothing_imported", message=exc) from exc
    names = ", ".join(catalogue[s].name if s in catalogue else s for s in result.wijken)
    print(t("cli.imported", settings.lang, n=result.created, wijk=names))
    if result.updated:
        print(t("cli.updated", settings.lang, n=result.updated))
    if result.unchanged:
        print(t("cli.unchanged", settings.lang, n=result.unchanged))
    if result.connections:
        print(t("cli.connections_imported", settings.lang, n=result.connections))
    if result.skipped:
        print(t("duplicates.skipped", settings.lang, n=result.skipped))
    _print_photos(result.photos, settings.lang)
    _print_batch(result.batch, settings.lang)
    return 0


def _print_photos(photos: PhotoImport, lang: str) -> None:
    """What became of the photos of a KoboToolbox or ODK export (:mod:`abcd.fieldforms.exports`)."""
    if photos.attached:
        print(t("cli.photos_attached", lang, n=photos.attached))
    if photos.already:
        print(t("cli.photos_already", lang, n=photos.already))
    if photos.left_out:
        rows = ", ".join(map(str, photos.left_out))
        print(t("cli.photos_left_out", lang, n=len(photos.left_out), rows=rows))


def _print_batch(batch_id: int | None, lang: str) -> None:
    """How to undo an import, then its batch id alone on the last line (for scripts: ``| tail -1``)."""
    if batch_id is None:
        return
    print(t("cli.import_batch", lang, id=batch_id))
    print(batch_id)


def cmd_imports(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd imports list|undo ID``: the imports as batches; undo one (:mod:`abcd.batches`)."""
    from abcd.assets import undo_import
    from abcd.batches import parse_batch_id
    from abcd.i18n.formats import format_datetime

    store = _store(settings)
    lang = settings.lang
    if args.action == "list":
        for batch in store.import_batches(limit=args.limit):
            undone = t("cli.batch_undone", lang, when=format_datetime(batch.undone_at, lang)) if batch.undone_at else ""
            when = format_datetime(batch.imported_at, lang)
            counts = t("cli.batch_counts", lang, rows=batch.rows, created=batch.created, updated=batch.updated)
            print(
                f"{batch.id}\t{when}\t{_shown(batch.imported_by)}\t{batch.kind}\t{_shown(batch.source)}\t{counts}{undone}"
            )
        return 0
    if not args.id:
        raise AbcdError("error.batch_id_needed")
    user = replace(CLI_USER, username=_actor(args))
    done = undo_import(store, parse_batch_id(args.id), user=user)
    print(t("cli.batch_undone_now", lang, id=done.batch.id, removed=done.removed, restored=done.restored))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from abcd import exchange
    from abcd.wijken import ensure_area

    store = _store(settings)
    slug = None
    if args.wijk:
        slug = ensure_area(store, _catalogue(settings, store), args.wijk).slug
    count = exchange.export_assets(
        store, Path(args.file), wijk=slug, lang=settings.lang, include_personal=args.include_personal
    )
    print(t("cli.exported", settings.lang, n=count, path=args.file))
    return 0


def cmd_xlsform(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd xlsform OUT.xlsx``: the form for offline capture with Kobo or ODK Collect (:mod:`abcd.fieldforms`)."""
    from abcd.fieldforms.xlsform import question_count, xlsform_bytes, xlsform_sheets
    from abcd.io import write_file
    from abcd.themes import list_themes

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise AbcdError("error.export_format", suffix=out.suffix or out.name, allowed=".xlsx")
    sheets = xlsform_sheets(
        lang=args.lang or settings.lang,
        themes=list_themes(_store(settings)),  # the wijk's own themes too
        consent_purpose=settings.consent_purpose,
        consent_text_version=settings.consent_text_version,
    )
    write_file(out, xlsform_bytes(sheets))
    print(t("cli.xlsform_written", settings.lang, n=question_count(sheets), path=out))
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from abcd.wijken import ensure_area

    store = _store(settings)
    slug = ensure_area(store, _catalogue(settings, store), args.wijk).slug if args.wijk else None
    category = Category(args.category) if args.category else None
    for asset in store.list_assets(wijk=slug, category=category, deleted_only=args.deleted):
        name = _shown(" ".join(asset.name.split()))  # one line per asset, whatever was typed
        print(f"{asset.id}\t{asset.category.value}\t{name}")
    return 0


def cmd_examples(args: argparse.Namespace, settings: Settings) -> int:
    from abcd.examples import load_examples, remove_examples
    from abcd.wijken import ensure_wijk

    store = _store(settings)
    if args.action == "remove":
        print(t("cli.examples_removed", settings.lang, n=remove_examples(store)))
        return 0
    catalogue = _catalogue(settings, store)
    wijk = ensure_wijk(store, catalogue, DEFAULT_WIJK, settings.wijken_dir)
    added = load_examples(store, force=True)
    key = "cli.examples_loaded" if added else "cli.examples_present"
    print(t(key, settings.lang, n=added, wijk=wijk.name))
    return 0


def cmd_wijken(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd wijken``: the selectable wijken; ``abcd wijken add``: onboard one (and print its slug)."""
    store = _store(settings)
    catalogue = _catalogue(settings, store)
    if args.action == "add":
        return _add_wijk(args, settings, store, catalogue)
    loaded = set(store.wijk_slugs()) if args.loaded else None
    for wijk in catalogue.values():
        if args.gemeente and (wijk.gemeente or "").casefold() != args.gemeente.strip().casefold():
            continue
        if loaded is None or wijk.slug in loaded:
            population = "" if wijk.population is None else str(wijk.population)
            print(f"{wijk.slug}\t{wijk.code or ''}\t{wijk.kind}\t{population}\t{wijk.name}\t{wijk.gemeente or ''}")
    return 0


def _add_wijk(args: argparse.Namespace, settings: Settings, store: Store, catalogue: Catalogue) -> int:
    from abcd.streets import read_walkable
    from abcd.wijken import add_area, read_boundary

    boundary = read_boundary(Path(args.boundary)) if args.boundary else None
    streets = read_walkable(Path(args.streets))[0] if args.streets else None
    wijk = add_area(
        store,
        catalogue,
        args.key,
        boundary=boundary,
        name=args.name,
        population=args.population,
        streets=streets,
        wijken_dir=settings.wijken_dir,
    )
    segments = len(store.streets(wijk.slug))
    print(t("cli.wijk_added", settings.lang, name=wijk.name, n=segments, population=wijk.population or "?"))
    if not segments:
        print(t("error.gaps_no_streets", settings.lang, wijk=wijk.name, slug=wijk.slug))
    print(wijk.slug)
    return 0


def cmd_investments(args: argparse.Namespace, settings: Settings) -> int:
    """Import an investment ledger (CSV, all rows or none) or write the per-wijk summary (CSV)."""
    from abcd.investments import exchange as investment_exchange
    from abcd.investments.amounts import eur_from_cents, format_eur, format_number
    from abcd.investments.ledger import level_summary
    from abcd.investments.model import Level, check_year
    from abcd.investments.summary import city_average
    from abcd.wijken import find_wijk

    store = _store(settings)
    catalogue = _catalogue(settings, store)
    lang = settings.lang
    if args.action == "import":
        default = find_wijk(catalogue, args.wijk).slug
        try:
            result = investment_exchange.import_investments(
                store, Path(args.file), catalogue=catalogue, default_wijk=default, by=_actor(args)
            )
        except AbcdError as exc:
            raise AbcdError("error.nothing_imported", message=exc) from exc
        names = ", ".join(catalogue[s].name if s in catalogue else s for s in result.wijken)
        total = format_eur(eur_from_cents(result.total_cents), lang)
        print(t("cli.investments_imported", lang, n=result.count, total=total, wijk=names))
        return 0
    level = Level(args.level)
    year = check_year(args.year)
    summary = level_summary(store, catalogue, level=level, year=year)
    count = investment_exchange.write_summary_csv(summary, Path(args.out))
    print(t("cli.investments_summary", lang, count=count, level=level.label(lang), path=args.out))
    average = city_average(summary)
    if average["wijken"]:
        print(
            t(
                "cli.investments_average",
                lang,
                n=int(average["wijken"]),
                eur=format_eur(average["eur_per_1000"], lang),
                initiatives=format_number(average["initiatives_per_1000"], lang),
            )
        )
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd backup FILE``: a consistent copy of the SQLite database, also while the app is writing."""
    import time

    from abcd.backup import backup_database, describe_database
    from abcd.i18n.formats import format_number

    started = time.perf_counter()
    target = backup_database(settings.database_url, Path(args.file))
    seconds = time.perf_counter() - started
    summary = describe_database(target)
    size = format_number(target.stat().st_size / 1024 / 1024, settings.lang, digits=1)
    seconds_shown = format_number(seconds, settings.lang)
    print(t("cli.backup_done", settings.lang, path=target, n=summary.assets, size=size, seconds=seconds_shown))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd restore FILE``: replace the database with a backup (stop the app first); keeps the old one as .bak."""
    from abcd.backup import describe_database, restore_database

    source = Path(args.file)
    summary = describe_database(source)  # a clear refusal before anything is touched
    kept = restore_database(source, settings.database_url)
    _store(settings).close()  # opening upgrades a backup made by an older version
    key = "cli.restored" if kept else "cli.restored_new"
    print(t(key, settings.lang, path=source, n=summary.assets, revision=summary.revision, kept=kept))
    return 0


def _since(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"not a date: {value!r} (expected YYYY-MM-DD)"
        raise argparse.ArgumentTypeError(msg) from None


def _portrait(args: argparse.Namespace, settings: Settings, suffixes: tuple[str, ...]) -> tuple[ReportData, Path]:
    """The public portrait data of ``--wijk`` and the checked ``--out`` path (report and poster share this)."""
    from abcd.portrait.data import load_report_data
    from abcd.wijken import ensure_wijk

    out = Path(args.out)
    if out.suffix.lower() not in suffixes:
        raise AbcdError("error.export_format", suffix=out.suffix or out.name, allowed=", ".join(suffixes))
    store = _store(settings)
    catalogue = _catalogue(settings, store)
    wijk = ensure_wijk(store, catalogue, args.wijk, settings.wijken_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    return load_report_data(store, wijk, catalogue, user=CLI_USER, since=args.since), out


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd report --wijk SLUG --out FILE.pdf``: the wijk's strengths portrait as an A4 PDF."""
    from abcd.io import write_file
    from abcd.portrait.report import wijk_report

    data, out = _portrait(args, settings, (".pdf",))
    lang = normalise_lang(args.lang) if args.lang else settings.lang
    write_file(out, wijk_report(data, lang=lang, own_strengths=args.own_strengths, help_wanted=args.help_wanted))
    print(t("cli.report_saved", settings.lang, wijk=data.name, path=out))
    return 0


def cmd_poster(args: argparse.Namespace, settings: Settings) -> int:
    """``abcd poster --wijk SLUG --out FILE.png|.pdf``: an A3 poster of the map and the headline figures."""
    from abcd.io import write_file
    from abcd.portrait.poster import wijk_poster

    data, out = _portrait(args, settings, (".png", ".pdf"))
    lang = normalise_lang(args.lang) if args.lang else settings.lang
    write_file(out, wijk_poster(data, lang=lang, fmt=out.suffix.lower().lstrip("."), dpi=args.dpi))
    print(t("cli.poster_saved", settings.lang, wijk=data.name, path=out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="abcd",
        description="ABCD: map what a neighbourhood has (Asset Based Community Development).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create/upgrade the database, load a wijk and (once) the examples")
    p.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk slug or CBS code (default: BoTu)")
    p.add_argument("--no-examples", action="store_true", help="do not load the example assets")
    p.add_argument("--refresh", action="store_true", help="reload the wijk's boundary and streets")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "migrate", help="create/upgrade the database schema, once, under a lock (before starting the app servers)"
    )
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser(
        "import", help="import assets from GeoJSON, GeoPackage, CSV, GPX (waypoints) or KML (all rows or none)"
    )
    p.add_argument("file")
    p.add_argument(
        "--wijk", help="the wijk rows without a 'wijk' value lie in (checked); default: placed by their location"
    )
    p.add_argument("--by", help="who is importing (recorded in the history)")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="rows with an existing id but no 'version' overwrite the asset as it is now (default: refused)",
    )
    p.add_argument(
        "--duplicates",
        choices=["skip", "keep"],
        help="new rows within 50 m of an asset (or an earlier row) with a similar name: leave them out (skip) "
        "or import them anyway (keep); default: list them and import nothing",
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help="read the file's COLUMN as abcd's FIELD (naam=name, soort=category, x=lon; COLUMN= leaves it out); "
        "repeat for more columns",
    )
    p.add_argument(
        "--category-map",
        metavar="FILE.csv",
        help="a CSV of two columns: a category value of the file and its abcd category (code or Dutch/English "
        "name); values are matched trimmed and case-insensitively, rows with a value it lacks are listed, not guessed",
    )
    p.add_argument("--category", help="the category of rows without one (GPX waypoints, KML placemarks)")
    p.add_argument("--crs", help="the CRS of a CSV's coordinate columns, e.g. 28992 for RD New metres (default: 4326)")
    p.add_argument(
        "--mapping",
        metavar="FILE.json",
        help="a mapping file (columns, categories, --category and --crs in one; see abcd.mapping); "
        "the options above add to it",
    )
    p.add_argument(
        "--save-mapping",
        metavar="FILE.json",
        help="write the mapping these options make to a file, for the next import's --mapping (written first)",
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("imports", help="the imports (batches): list them, or undo one by its id")
    p.add_argument("action", choices=["list", "undo"])
    p.add_argument("id", nargs="?", help="the batch id to undo (the last line of 'abcd import')")
    p.add_argument("--limit", type=int, default=None, help="list only the newest N")
    p.add_argument("--by", help="who is undoing (recorded in the history)")
    p.set_defaults(handler=cmd_imports)

    p = sub.add_parser("osm", help="OpenStreetMap places as candidate assets, awaiting approval")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("import", help="propose the assets of an extract (.osm, .osm.pbf) in a wijk; no network")
    q.add_argument("file", help="an OpenStreetMap extract: .osm or .osm.pbf")
    q.add_argument("--wijk", required=True, help="the wijk (slug or CBS code): only places in it are proposed")
    q.add_argument("--by", help="who is importing (recorded in the history as osm:WHO)")
    p.set_defaults(handler=cmd_osm)

    p = sub.add_parser("export", help="export assets: .geojson, .gpkg, .csv or .html (offline map)")
    p.add_argument("file")
    p.add_argument("--wijk", help="only this wijk (slug or CBS code)")
    p.add_argument(
        "--include-personal", action="store_true", help="include residents (people), their consent and contacts"
    )
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("xlsform", help="write the XLSForm for offline capture with KoboToolbox or ODK Collect")
    p.add_argument("out", help="the form to write (.xlsx); its exports import back with 'abcd import'")
    p.add_argument("--lang", choices=LANGUAGES, help="the form's first language (default: ABCD_LANG, else nl)")
    p.set_defaults(handler=cmd_xlsform)

    p = sub.add_parser("list", help="one line per asset: id, category, name (tab-separated)")
    p.add_argument("--wijk")
    p.add_argument("--category", choices=[c.value for c in Category])
    p.add_argument("--deleted", action="store_true", help="list deleted assets instead")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("examples", help="load or remove the example assets (invented data)")
    p.add_argument("action", choices=["load", "remove"])
    p.set_defaults(handler=cmd_examples)

    p = sub.add_parser("users", help="local accounts: add, list, set-role, password, remove")
    p.add_argument("action", choices=["add", "list", "set-role", "password", "remove"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=[r.value for r in Role if r is not Role.PUBLIC])
    p.add_argument("--wijken", help="comma-separated wijk slugs this account works in (default: all)")
    p.add_argument("--password", help="the password (asked for when left out)")
    p.add_argument("--sso", action="store_true", help="single sign-on only (the user name is the e-mail)")
    p.set_defaults(handler=cmd_users)

    p = sub.add_parser("person", help="residents' personal data: erase ID")
    p.add_argument("action", choices=["erase"])
    p.add_argument("id")
    p.set_defaults(handler=cmd_person)

    from abcd.photos.cli import add_parser as add_photo_parser  # argparse only: --help stays quick

    add_photo_parser(sub).set_defaults(handler=cmd_photo)

    from abcd.walks.cli import add_parser as add_walks_parser  # argparse only: --help stays quick

    add_walks_parser(sub).set_defaults(handler=cmd_walks)

    p = sub.add_parser("backup", help="copy the database to FILE while the app runs (SQLite online backup)")
    p.add_argument("file")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with the backup FILE (stop the app first)")
    p.add_argument("file")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("gaps", help="streets without a resident initiative nearby (gap map) to .geojson or .csv")
    p.add_argument("--wijk", help="a wijk in the database (slug or CBS code)")
    p.add_argument(
        "--streets", help="your own street file (GeoJSON, GeoPackage, shapefile, .osm, .osm.pbf), with --assets"
    )
    p.add_argument("--assets", help="your own initiatives or asset file (GeoJSON/GeoPackage/CSV), with --streets")
    p.add_argument("--distance", type=float, default=250.0, help="metres, 25..2000 (default 250)")
    p.add_argument("--mode", choices=["straight", "network"], default="straight", help="straight line or walking")
    p.add_argument("--out", required=True, help=".geojson (every segment) or .csv (per street)")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the CSV (default: ABCD_LANG, else nl)")
    p.add_argument("--theme", help="count only initiatives of this theme (abcd themes list), e.g. zwerfvuil")
    p.add_argument(
        "--all-initiatives",
        action="store_true",
        help="count also initiatives nobody confirmed within ABCD_STALE_MONTHS (default: only active ones)",
    )
    p.set_defaults(handler=cmd_gaps)

    p = sub.add_parser("near", help="the public assets within a distance of one street of a wijk, nearest first")
    p.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk slug or CBS code (default: BoTu)")
    p.add_argument("--street", required=True, help="the street's name, as on the gap map")
    p.add_argument("--distance", type=float, default=250.0, help="metres, 1..2000 (default 250)")
    p.set_defaults(handler=cmd_near)

    p = sub.add_parser(
        "effort", help="effort plan: the gemeente's total effort spread over the streets, from the average"
    )
    p.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk slug or CBS code (default: BoTu)")
    p.add_argument("--theme", help="count only initiatives of this theme (abcd themes list), e.g. zwerfvuil")
    p.add_argument(
        "--all-initiatives",
        action="store_true",
        help="count also initiatives nobody confirmed within ABCD_STALE_MONTHS (default: only active ones)",
    )
    p.add_argument("--total", required=True, help="the total effort for the period, e.g. 120 (hours) or 50000 (euros)")
    p.add_argument("--unit", choices=["uur", "euro"], required=True, help="hours (uur) or euros (euro)")
    p.add_argument("--period", choices=["week", "maand", "jaar"], help="default: week for hours, jaar for euros")
    p.add_argument("--floor", type=float, default=0.5, help="the least share of the average per metre, 0..1 (0.5)")
    p.add_argument("--distance", type=float, default=250.0, help="reach of an initiative in metres (default 250)")
    p.add_argument("--mode", choices=["straight", "network"], default="straight", help="straight line or walking")
    p.add_argument("--out", required=True, help=".csv (per street, for a work planner) or .geojson (every segment)")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the CSV (default: ABCD_LANG, else nl)")
    p.add_argument("--save", action="store_true", help="record the plan, so the next one is compared with it")
    p.add_argument("--by", help="who records the plan (with --save)")
    p.set_defaults(handler=cmd_effort)

    kinds = ["member_of", "meets_at", "supports", "organised_by", "about", "works_with", "other"]
    p = sub.add_parser("link", help="connect two assets: FROM_ID TO_ID --kind KIND (prints the connection id)")
    p.add_argument("from_id")
    p.add_argument("to_id")
    p.add_argument("--kind", required=True, choices=kinds)
    p.add_argument("--note", help="what the connection is (required for --kind other)")
    p.add_argument("--by", help="who connects them (recorded in the history)")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("unlink", help="remove a connection: FROM_ID TO_ID [--kind KIND], or CONNECTION_ID")
    p.add_argument("from_id", help="the first asset, or the connection's id alone")
    p.add_argument("to_id", nargs="?")
    p.add_argument("--kind", choices=kinds, help="which connection, when the two have more than one")
    p.add_argument("--by", help="who removes it (recorded in the history)")
    p.set_defaults(handler=cmd_unlink)

    p = sub.add_parser("connections", help="one line per connection: id, kind, from id and name, to id and name")
    p.add_argument("--wijk", help="only connections between assets of this wijk")
    p.set_defaults(handler=cmd_connections)

    p = sub.add_parser("themes", help="the themes of resident initiatives: list, or add a wijk's own")
    p.add_argument("action", nargs="?", choices=["list", "add"], default="list")
    p.add_argument("code", nargs="?", help="the new theme's code: lower-case letters, digits and _ (add)")
    p.add_argument("--nl", help="the theme's Dutch name (add)")
    p.add_argument("--en", help="the theme's English name (add)")
    p.set_defaults(handler=cmd_themes)

    p = sub.add_parser("compact", help="rewrite the database (after erasures: no old copies left in its files)")
    p.set_defaults(handler=cmd_compact)

    p = sub.add_parser("wijken", help="list the wijken (slug, code, kind, residents, name, gemeente), or add one")
    p.add_argument("--loaded", action="store_true", help="only wijken already in the database")
    p.add_argument("--gemeente", help="only the wijken of this gemeente")
    actions = p.add_subparsers(dest="action")
    q = actions.add_parser("add", help="onboard a wijk: from the catalogue, or your own area with --boundary")
    q.add_argument("key", help="a CBS code, a name (with its gemeente where needed: 'Centrum, Groningen') or a slug")
    q.add_argument("--boundary", help="your own area: a polygon file (GeoJSON, GeoPackage, shapefile; any CRS)")
    q.add_argument("--name", help="the name of your own area (default: KEY)")
    q.add_argument("--population", type=int, help="residents of your own area (required with --boundary)")
    q.add_argument("--streets", help="street lines: GeoJSON, GeoPackage, shapefile or an OpenStreetMap .osm/.osm.pbf")
    p.set_defaults(handler=cmd_wijken)

    for name, helptext, handler in (
        ("report", "the wijk's strengths portrait as a PDF (A4, 2-4 pages; people only as counts)", cmd_report),
        ("poster", "an A3 poster (.png or .pdf) of the map with the legend and headline figures", cmd_poster),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk slug or CBS code (default: BoTu)")
        p.add_argument("--out", required=True, help="the file to write (.pdf)" if name == "report" else ".png or .pdf")
        p.add_argument("--lang", choices=LANGUAGES, help="language of the document (default: ABCD_LANG, else nl)")
        p.add_argument("--since", type=_since, help="also count what is new since this date (YYYY-MM-DD)")
        if name == "report":
            p.add_argument("--own-strengths", default="", help="text for 'Wat we zelf kunnen'")
            p.add_argument("--help-wanted", default="", help="text for 'Waar we hulp bij vragen'")
        else:
            p.add_argument("--dpi", type=float, default=254.0, help="PNG resolution (default 254: 2970 x 4200 px)")
        p.set_defaults(handler=handler)

    p = sub.add_parser("investments", help="meeting-place investments: import a ledger CSV, write the summary CSV")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("import", help="add investments from CSV (every row checked first; all rows or none)")
    q.add_argument("file")
    q.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk for rows without a 'wijk' value (default: BoTu)")
    q.add_argument("--by", help="who is importing (recorded in the history)")
    q = actions.add_parser("summary", help="per-wijk figures of one level as CSV, plus the city average")
    q.add_argument("--year", type=int, help="only entries dated in this year (default: all years)")
    q.add_argument(
        "--level",
        choices=["wijk", "cbs_wijk", "cbs_buurt"],
        default="wijk",
        help="wijk: BoTu and the other CBS buurten (default); cbs_wijk: the 21 CBS wijken; cbs_buurt: the buurten",
    )
    q.add_argument("--out", required=True, help="the CSV file to write")
    p.set_defaults(handler=cmd_investments)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abcd`` command."""
    try:
        settings = settings_from_env()
    except AbcdError as exc:  # a setting in the environment that cannot be used
        print(exc.message(normalise_lang(os.environ.get("ABCD_LANG", "nl"))), file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except AbcdError as exc:
        print(exc.message(settings.lang), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `abcd list | head`: the reader has what it wanted; not a storage error
        # Python's advice (signal module docs): point stdout at devnull so the flush at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # a full disk, no permission, a read-only file system: one clear line
        print(storage_error(exc).message(settings.lang), file=sys.stderr)
        return 2
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        # Unreachable server, broken connection: the first line of the driver's message, no SQL, no values.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(t("error.database_failed", settings.lang, reason=reason), file=sys.stderr)
        return 2


def _is_database_error(exc: Exception) -> bool:
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError)


if __name__ == "__main__":
    raise SystemExit(main())
