"""``abcd walks``: import a GPX walk, list walks, list streets by when they were last walked, reduce old walks.

``abcd walks import FILE.gpx --by NAME`` records the walk for the account
``NAME`` (a builder or coordinator) and prints the streets it marked, then
the walk's id alone on the last line, so a script can keep it. ``abcd walks
reduce`` deletes the walks older than ``ABCD_WALK_RETENTION_MONTHS`` (their
streets keep the day); ``abcd init`` does the same. :mod:`abcd.cli` adds the
parser and calls :func:`run`; this module imports nothing heavy, so ``abcd
--help`` stays quick.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abcd.config import Settings
    from abcd.store import Store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``walks`` command and its actions, on the ``abcd`` parser's sub-commands."""
    p = sub.add_parser("walks", help="builders' walks: import FILE.gpx --by NAME, list, streets --wijk, reduce")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("import", help="record a GPX track as a walk; prints the streets marked, then the walk id")
    q.add_argument("file")
    q.add_argument("--by", required=True, help="the account that walked (a builder or coordinator)")
    q.add_argument("--wijk", help="the wijk (slug or CBS code; default: the stored wijk most of the track lies in)")
    q = actions.add_parser("list", help="one line per walk: id, wijk, walker, day, source, km, streets")
    q.add_argument("--wijk", help="only the walks of this wijk")
    q = actions.add_parser("streets", help="a wijk's streets and the day each was last walked, never walked first")
    q.add_argument("--wijk", required=True, help="wijk slug or CBS code")
    q.add_argument("--not-since", type=int, metavar="MONTHS", help="only streets not walked in this many months")
    q = actions.add_parser("reduce", help="delete walks older than ABCD_WALK_RETENTION_MONTHS; streets keep the day")
    q.add_argument("--months", type=int, help="keep this many months instead of the setting")
    return p


def run(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """Carry out ``abcd walks ACTION`` as the command line's administrator."""
    from abcd import accounts
    from abcd.cli import _shown
    from abcd.i18n import t
    from abcd.permissions import CLI_USER
    from abcd.walks import register

    lang = settings.lang
    if args.action == "reduce":
        months = settings.walk_retention_months if args.months is None else args.months
        print(t("cli.walks_reduced", lang, n=register.reduce_old_walks(store, keep_months=months), months=months))
        return 0
    register.reduce_old_walks(store, keep_months=settings.walk_retention_months)  # never show an expired track
    if args.action == "import":
        walker = accounts.get_account(store, args.by).user()
        wijk = _slug(args.wijk, settings, store) if args.wijk else None
        walk = register.import_gpx(store, Path(args.file), by=walker, wijk=wijk)
        print(t("cli.walk_imported", lang, n=len(walk.streets), wijk=walk.wijk, date=walk.walked_on.isoformat()))
        for street in walk.streets:
            print(f"  {_shown(street)}")
        print(walk.id)
        return 0
    if args.action == "list":
        wijk = _slug(args.wijk, settings, store) if args.wijk else None
        for walk in register.walks_visible_to(store, CLI_USER, wijk=wijk):
            line = [walk.id, walk.wijk, _shown(walk.walker), walk.walked_on.isoformat(), walk.source]
            print("\t".join([*line, f"{walk.length_m / 1000:.2f}", str(len(walk.streets))]))
        return 0
    slug = _slug(args.wijk, settings, store)
    frame = register.streets_by_last_walked(store, slug, not_since_months=args.not_since)
    for street, day in zip(frame["street"], frame["last_walked"], strict=True):
        print(f"{_shown(street)}\t{day.isoformat() if day else ''}")
    return 0


def _slug(key: str, settings: Settings, store: Store) -> str:
    """The stored wijk a slug or CBS code names (onboarded on first use, as ``abcd gaps --wijk`` does)."""
    from abcd.wijken import ensure_wijk, full_catalogue

    return ensure_wijk(store, full_catalogue(store, settings.wijken_dir), key, settings.wijken_dir).slug


__all__ = ["add_parser", "run"]
