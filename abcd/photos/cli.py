"""``abcd photo``: attach a photo to an asset, write one out, list and remove them.

``abcd photo add ASSET_ID FILE`` prints the new photo's id alone, so a script
can keep it; ``abcd photo get PHOTO_ID OUT`` writes the stored JPEG (what
``abcd`` keeps: re-encoded, without metadata). :mod:`abcd.cli` adds the
parser and calls :func:`run`; this module imports nothing heavy, so
``abcd --help`` stays quick.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abcd.config import Settings
    from abcd.model import Consent
    from abcd.permissions import User
    from abcd.store import Store


def _today() -> date:
    """Today in Amsterdam (a consent is dated as :mod:`abcd.model` checks it)."""
    from abcd.i18n.formats import local_today

    return local_today()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``photo`` command and its actions, on the ``abcd`` parser's sub-commands."""
    p = sub.add_parser("photo", help="photos of assets: add ASSET_ID FILE, get PHOTO_ID OUT, list ASSET_ID, remove ID")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("add", help="attach a photo (JPEG, PNG, WebP, HEIC); prints the photo's id")
    q.add_argument("asset_id")
    q.add_argument("file")
    q.add_argument("--people", action="store_true", help="the photo shows recognisable people (needs their consent)")
    q.add_argument("--consent-date", help="when they consented, YYYY-MM-DD (default: today)")
    q.add_argument("--consent-recorded-by", help="who recorded the consent (default: --by)")
    q.add_argument("--consent-purpose", help="what they consented to, e.g. 'foto op de ABCD-kaart' (with --people)")
    q.add_argument("--consent-text-version", help="the version of the consent text (default: v1)")
    q.add_argument("--under-16", action="store_true", help="someone on the photo is younger than 16")
    q.add_argument("--parent-consent", action="store_true", help="a parent or guardian consented (with --under-16)")
    q.add_argument("--by", help="who adds the photo")
    q = actions.add_parser("get", help="write the stored photo (JPEG, without metadata) to OUT")
    q.add_argument("photo_id")
    q.add_argument("out")
    q = actions.add_parser("list", help="one line per photo of an asset: id, size, people, added by, added at")
    q.add_argument("asset_id")
    q = actions.add_parser("remove", help="remove a photo for good")
    q.add_argument("photo_id")
    q.add_argument("--by", help="who removes it")
    return p


def run(args: argparse.Namespace, settings: Settings, store: Store, *, user: User) -> int:
    """Carry out ``abcd photo ACTION`` for ``user`` (the command line's administrator, named by ``--by``)."""
    from abcd.i18n import t
    from abcd.photos import register

    if args.action == "add":
        data = _read(Path(args.file))
        consent = _consent(args, user.username) if args.people else None
        photo = register.attach_photo(
            store, args.asset_id, data, user=user, shows_people=bool(args.people), consent=consent
        )
        print(photo.id)
    elif args.action == "get":
        from abcd.io import atomic_path

        photo = register.photo_info(store, args.photo_id)
        data = register.photo_for(store, photo.id, user=user)
        personal = photo.shows_people or store.get(photo.asset_id).is_person
        with atomic_path(Path(args.out), private=personal) as tmp:  # a resident's photo: owner only
            tmp.write_bytes(data)
    elif args.action == "list":
        asset = store.get(args.asset_id.strip())
        for info in register.visible_photos(store, [asset], user=user).get(asset.id, []):
            people = "people" if info.shows_people else "-"
            when = info.created_at.isoformat(timespec="seconds")
            print(f"{info.id}\t{info.width}x{info.height}\t{people}\t{_shown(info.created_by)}\t{when}")
    else:
        gone = register.remove_photo(store, args.photo_id, user=user)
        print(t("cli.photo_removed", settings.lang, id=gone.id))
    return 0


def _read(path: Path) -> bytes:
    """The photo file's bytes, after refusing a missing, empty or too large one (before reading it)."""
    from abcd.errors import ImportFileError
    from abcd.limits import check_size
    from abcd.photos.images import MAX_PHOTO_BYTES

    if not path.is_file():
        raise ImportFileError("error.file_missing", path=str(path))
    check_size(path.stat().st_size, max_bytes=MAX_PHOTO_BYTES)
    return path.read_bytes()  # an empty file is "not a photo" (prepare_photo)


def _consent(args: argparse.Namespace, by: str) -> Consent:
    from abcd.model import validate_consent

    return validate_consent(
        {
            "consent_date": args.consent_date or _today().isoformat(),
            "consent_recorded_by": args.consent_recorded_by or by,
            "consent_purpose": args.consent_purpose,
            "consent_text_version": args.consent_text_version,
            "under_16": args.under_16,
            "parent_consent": args.parent_consent,
        }
    )


def _shown(text: str) -> str:
    from abcd.cli import _shown as terminal_safe  # the one escape of the command line's output

    return terminal_safe(text)


__all__ = ["add_parser", "run"]
