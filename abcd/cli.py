"""The ``abcd`` command: set-up, import, export and listing from a terminal.

It calls the same functions as the pages. Messages follow ``ABCD_LANG``
(Dutch by default); user errors print one clear line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from abcd import exchange
from abcd.config import DEFAULT_WIJK, Settings, settings_from_env
from abcd.errors import AbcdError
from abcd.examples import load_examples, remove_examples
from abcd.i18n import t
from abcd.model import Category
from abcd.store import Store
from abcd.wijken import ensure_wijk, find_wijk, onboard_wijk, wijk_catalogue

Handler = Callable[[argparse.Namespace, Settings], int]


def _store(settings: Settings) -> Store:
    return Store.open(settings.database_url)


def _actor(args: argparse.Namespace) -> str:
    if getattr(args, "by", None):
        return str(args.by)
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database, onboard the default wijk and (once) its examples."""
    store = _store(settings)
    from abcd.store import current_revision

    revision = current_revision(store.engine)
    print(t("cli.db_ready", settings.lang, url=_safe_url(settings.database_url), revision=revision))
    catalogue = wijk_catalogue(settings.wijken_dir)
    wijk = find_wijk(catalogue, args.wijk)
    if args.refresh or not store.has_wijk(wijk.slug):
        streets = onboard_wijk(store, wijk, settings.wijken_dir)
        print(t("cli.wijk_loaded", settings.lang, name=wijk.name, streets=streets, population=wijk.population))
    if not args.no_examples and wijk.slug == DEFAULT_WIJK:
        added = load_examples(store)
        if added:
            print(t("cli.examples_loaded", settings.lang, count=added, wijk=wijk.name))
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    catalogue = wijk_catalogue(settings.wijken_dir)
    default = find_wijk(catalogue, args.wijk).slug
    try:
        result = exchange.import_assets(
            store,
            Path(args.file),
            catalogue=catalogue,
            wijken_dir=settings.wijken_dir,
            default_wijk=default,
            by=_actor(args),
        )
    except AbcdError as exc:
        raise AbcdError("error.nothing_imported", message=exc) from exc
    names = ", ".join(catalogue[s].name for s in result.wijken)
    print(t("cli.imported", settings.lang, count=result.created, wijk=names))
    if result.updated:
        print(t("cli.updated", settings.lang, count=result.updated))
    if result.unchanged:
        print(t("cli.unchanged", settings.lang, count=result.unchanged))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    slug = None
    if args.wijk:
        catalogue = wijk_catalogue(settings.wijken_dir)
        slug = ensure_wijk(store, catalogue, args.wijk, settings.wijken_dir).slug
    count = exchange.export_assets(store, Path(args.file), wijk=slug, lang=settings.lang)
    print(t("cli.exported", settings.lang, count=count, path=args.file))
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    slug = find_wijk(wijk_catalogue(settings.wijken_dir), args.wijk).slug if args.wijk else None
    category = Category(args.category) if args.category else None
    for asset in store.list_assets(wijk=slug, category=category, deleted_only=args.deleted):
        name = " ".join(asset.name.split())  # one line per asset, whatever was typed
        print(f"{asset.id}\t{asset.category.value}\t{name}")
    return 0


def cmd_examples(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    if args.action == "remove":
        print(t("cli.examples_removed", settings.lang, count=remove_examples(store)))
        return 0
    catalogue = wijk_catalogue(settings.wijken_dir)
    wijk = ensure_wijk(store, catalogue, DEFAULT_WIJK, settings.wijken_dir)
    added = load_examples(store, force=True)
    key = "cli.examples_loaded" if added else "cli.examples_present"
    print(t(key, settings.lang, count=added, wijk=wijk.name))
    return 0


def cmd_wijken(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = wijk_catalogue(settings.wijken_dir)
    loaded = set(_store(settings).wijk_slugs()) if args.loaded else None
    for wijk in catalogue.values():
        if loaded is None or wijk.slug in loaded:
            population = "" if wijk.population is None else str(wijk.population)
            print(f"{wijk.slug}\t{wijk.code or ''}\t{wijk.kind}\t{population}\t{wijk.name}")
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

    p = sub.add_parser("import", help="import assets from GeoJSON, GeoPackage or CSV (all rows or none)")
    p.add_argument("file")
    p.add_argument("--wijk", default=DEFAULT_WIJK, help="wijk for rows without a 'wijk' value")
    p.add_argument("--by", help="who is importing (recorded in the history)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export assets: .geojson, .gpkg, .csv or .html (offline map)")
    p.add_argument("file")
    p.add_argument("--wijk", help="only this wijk (slug or CBS code)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("list", help="one line per asset: id, category, name (tab-separated)")
    p.add_argument("--wijk")
    p.add_argument("--category", choices=[c.value for c in Category])
    p.add_argument("--deleted", action="store_true", help="list deleted assets instead")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("examples", help="load or remove the example assets (invented data)")
    p.add_argument("action", choices=["load", "remove"])
    p.set_defaults(handler=cmd_examples)

    p = sub.add_parser("wijken", help="list selectable wijken: slug, CBS code, kind, residents, name")
    p.add_argument("--loaded", action="store_true", help="only wijken already in the database")
    p.set_defaults(handler=cmd_wijken)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abcd`` command."""
    settings = settings_from_env()
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except AbcdError as exc:
        print(exc.message(settings.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
