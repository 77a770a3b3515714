"""Duplicates caught before they are stored: a new asset close to a live one with a similar name.

The rule. Two assets within :data:`RADIUS_M` (50 m, measured in RD New) of
each other are *suspected duplicates* when their names are similar enough for
their categories. Names are compared after :func:`normalise_name` (case,
accents, punctuation and a few filler words do not count). For the **same
category** a similarity of at least :data:`SIMILAR` (0.8) is enough, and so is
one name containing every word of the other ("Moestuin" and "Moestuin
Bospolder"). For **different categories** (the same club entered once as an
association, once as an initiative) the names must be nearly the same: a
similarity of at least :data:`VERY_SIMILAR` (0.9). Names whose numbers differ
("Speeltuin 1", "Speeltuin 2") are never suspected. Residents are only compared
with residents: they sit at their buurt's shared anchor point, so a club near
that point says nothing about them, and the pair would show a resident's name
to someone adding a club. This is how the issue's "a similar name (or the same
category and a very similar name)" is read: the looser test needs the same
category, across categories only a near-identical name counts.

The similarity is :class:`difflib.SequenceMatcher`'s ratio (standard library)
of the names with their spaces taken out (so "Zwerfvuil ploeg" is
"Zwerfvuilploeg"), or of their words in alphabetical order when that is higher
(so word order does not count); the pair is put in a fixed order first, so the
relation is symmetric.

>>> names_match("Buurttuin Het Keilepand", "buurttuin 't Keilepand", same_category=False)
True
>>> names_match("Voedselbank", "Voetbalclub", same_category=True)
False
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from abcd.errors import AbcdError
from abcd.filters import fold
from abcd.i18n import Lang, t
from abcd.model import Asset, AssetDraft, Category
from abcd.places import rd_xy

if TYPE_CHECKING:
    import pandas as pd

    from abcd.store import Store

RADIUS_M = 50
"""How close (metres, RD New) a new asset must be to another to be compared by name."""

SIMILAR = 0.8
"""The name similarity from which two assets of the same category are suspected."""

VERY_SIMILAR = 0.9
"""The name similarity from which two assets of different categories are suspected."""

FILLER_WORDS = frozenset({"de", "het", "t", "een", "van", "der", "den", "en", "the", "of", "and"})
"""Words left out before names are compared: Dutch and English articles and joiners ("'t" becomes "t").

Kept short on purpose: every word here is one that, added or left out,
never makes a different place ("Buurttuin Het Keilepand" is "Buurttuin
Keilepand").
"""

Duplicates = Literal["ask", "skip", "keep"]
"""What an import does with suspected duplicates: stop and ask, leave them out, or import them anyway."""

# Shorter than this, a name contained in another says too little ("Tuin").
_MIN_CONTAINED = 4
# Pairs per spatial query and per array test: bound the memory when many points lie at one spot
# (residents at their buurt's anchor).
_PAIRS = 200_000
_LETTER_COLUMNS = 37  # a-z, 0-9 and the rest


@dataclass(frozen=True, slots=True)
class Suspect:
    """One suspected pair: a draft and the live asset (or earlier draft of the same batch) it resembles."""

    draft: int  # index of the draft in the batch
    name: str
    other_name: str
    distance_m: int  # rounded to whole metres
    existing_id: str | None = None  # the stored asset, or
    earlier: int | None = None  # the index of an earlier draft in the same batch
    row: int | None = None  # the file rows of the draft and of the earlier draft, when known
    earlier_row: int | None = None

    @property
    def shown_row(self) -> int:
        """The draft's file row, else its place in the batch counting from 1."""
        return self.row if self.row is not None else self.draft + 1

    @property
    def shown_earlier_row(self) -> int | None:
        """The earlier draft's file row (else its place counting from 1); ``None`` against a stored asset."""
        if self.earlier is None:
            return None
        return self.earlier_row if self.earlier_row is not None else self.earlier + 1

    def message(self, lang: Lang = "nl") -> str:
        """The pair on one line: row, name, what it resembles, distance."""
        if self.existing_id is not None:
            return t(
                "duplicates.pair_existing",
                lang,
                row=self.shown_row,
                name=_one_line(self.name),
                existing=_one_line(self.other_name),
                id=self.existing_id,
                distance=self.distance_m,
            )
        return t(
            "duplicates.pair_row",
            lang,
            row=self.shown_row,
            name=_one_line(self.name),
            other=_one_line(self.other_name),
            other_row=self.shown_earlier_row,
            distance=self.distance_m,
        )


@dataclass(frozen=True, slots=True)
class _Pairs:
    """The pairs as lines, rendered in the reader's language when the error is shown."""

    suspects: tuple[Suspect, ...]

    def message(self, lang: Lang = "nl") -> str:
        return "\n".join(s.message(lang) for s in self.suspects)


class DuplicatesFound(AbcdError):
    """An import found rows that look like assets already there (or like earlier rows); nothing was stored.

    ``suspects`` holds every pair; import again choosing ``skip`` or ``keep``.
    """

    def __init__(self, suspects: Sequence[Suspect]) -> None:
        self.suspects = tuple(suspects)
        super().__init__("error.duplicates_found", n=self.rows, radius=RADIUS_M, pairs=_Pairs(self.suspects))

    @property
    def rows(self) -> int:
        """How many rows are suspected (a row can be in several pairs)."""
        return len({s.draft for s in self.suspects})


# ------------------------------------------------------------------ names
@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]
    compact: str  # the words without spaces
    ordered: str  # the words in alphabetical order, without spaces
    numbers: frozenset[int]


# Runs of letters and runs of digits: punctuation goes, "Spartaan'20" is "spartaan 20".
_TOKENS = re.compile(r"[^\W\d_]+|\d+")


def _parse(name: str) -> _Name:
    plain = name.casefold() if name.isascii() else fold(name)  # ASCII has no accents to fold
    tokens = _TOKENS.findall(plain)
    words = tuple([w for w in tokens if w not in FILLER_WORDS]) or tuple(tokens)
    numbers = frozenset([int(w) for w in words if w.isdigit()])
    return _Name(words, "".join(words), "".join(sorted(words)), numbers)


def normalise_name(name: str) -> str:
    """A name as it is compared: casefolded, without accents, punctuation or filler words.

    >>> normalise_name("  Buurttuin 'Het Keilepand'! ")
    'buurttuin keilepand'
    >>> normalise_name("Café de Ontmoeting")
    'cafe ontmoeting'
    """
    return " ".join(_parse(name).words)


def _ratio(a: str, b: str) -> float:
    if a > b:  # SequenceMatcher is not symmetric; a fixed order makes the relation so
        a, b = b, a
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _at_least(a: str, b: str, threshold: float) -> bool:
    """``_ratio(a, b) >= threshold``, trying the cheap upper bounds first (most pairs stop there)."""
    if a > b:
        a, b = b, a
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold
    )


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, from 0 (nothing in common) to 1 (the same after :func:`normalise_name`).

    >>> name_similarity("Zwerfvuil ploeg", "De Zwerfvuilploeg")
    1.0
    >>> round(name_similarity("Koor", "Kook"), 2)
    0.75
    """
    x, y = _parse(a), _parse(b)
    if x.compact == y.compact:
        return 1.0 if x.compact else 0.0
    return max(_ratio(x.compact, y.compact), _ratio(x.ordered, y.ordered))


def names_match(a: str, b: str, *, same_category: bool) -> bool:
    """Whether two names are alike enough to ask, for two assets of the same or of different categories.

    >>> names_match("Moestuin", "Moestuin Bospolder", same_category=True)
    True
    >>> names_match("Moestuin", "Moestuin Bospolder", same_category=False)
    False
    >>> names_match("Speeltuin 1", "Speeltuin 2", same_category=True)
    False
    """
    return _match(_parse(a), _parse(b), same_category=same_category)


def _match(x: _Name, y: _Name, *, same_category: bool) -> bool:
    if not x.compact or not y.compact:
        return False
    if x.numbers and y.numbers and x.numbers != y.numbers:
        return False
    if x.compact == y.compact or x.ordered == y.ordered:
        return True
    if same_category and _contains(x, y):
        return True
    threshold = SIMILAR if same_category else VERY_SIMILAR
    return _at_least(x.compact, y.compact, threshold) or _at_least(x.ordered, y.ordered, threshold)


def _contains(x: _Name, y: _Name) -> bool:
    """Every word of the shorter name is in the longer one (and the shorter one says enough)."""
    short, long = (x, y) if len(x.words) <= len(y.words) else (y, x)
    return len(short.compact) >= _MIN_CONTAINED and not Counter(short.words) - Counter(long.words)


# ------------------------------------------------------ many pairs at once
@dataclass(frozen=True)
class _Batch:
    """Names and categories of many assets as arrays, for tests that rule out most pairs at once.

    The arrays only hold *necessary* conditions of :func:`_match` (equal
    codes, the length and letter-count bounds on the ratio that
    :meth:`difflib.SequenceMatcher.quick_ratio` uses); every pair that
    passes them is decided by :func:`_match` itself, so the rule has one
    definition.
    """

    names: list[_Name]
    same_name: npt.NDArray[np.int64]  # one code per distinct word sequence
    compact: npt.NDArray[np.int64]
    ordered: npt.NDArray[np.int64]
    numbers: npt.NDArray[np.int64]  # 0: no numbers
    length: npt.NDArray[np.int64]
    category: npt.NDArray[np.int64]
    person: npt.NDArray[np.bool_]

    @cached_property
    def letters(self) -> npt.NDArray[np.int32]:
        """Letter counts, one column per letter or digit and one for the rest (only pairs that get this far need it).

        Any grouping of the letters gives an upper bound of the common letters,
        which is all the test needs.
        """
        text = "".join(n.compact for n in self.names)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        column = _LETTER_COLUMN[np.minimum(codes, len(_LETTER_COLUMN) - 1)]
        row = np.repeat(np.arange(len(self.names)), self.length)
        counts = np.bincount(row * _LETTER_COLUMNS + column, minlength=len(self.names) * _LETTER_COLUMNS)
        return counts.reshape(len(self.names), _LETTER_COLUMNS).astype(np.int32)


# The letter-count columns: a-z and 0-9 each their own, every other character in the last one.
_LETTER_COLUMN = np.full(129, _LETTER_COLUMNS - 1, dtype=np.int64)
for _k, _c in enumerate("abcdefghijklmnopqrstuvwxyz0123456789"):
    _LETTER_COLUMN[ord(_c)] = _k


def _codes(values: Sequence[object]) -> npt.NDArray[np.int64]:
    seen: dict[object, int] = {}
    return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)


def _batch(items: Sequence[AssetDraft | Asset]) -> _Batch:
    parsed: dict[str, _Name] = {}  # names repeat (residents, a file imported again): parse each once
    names = [parsed[i.name] if i.name in parsed else parsed.setdefault(i.name, _parse(i.name)) for i in items]
    categories = list(Category)
    return _Batch(
        names=names,
        same_name=_codes([n.words for n in names]),
        compact=_codes([n.compact for n in names]),
        ordered=_codes([n.ordered for n in names]),
        numbers=_codes([n.numbers for n in [_Name((), "", "", frozenset()), *names]])[1:],
        length=np.array([len(n.compact) for n in names], dtype=np.int64),
        category=np.array([categories.index(i.category) for i in items], dtype=np.int64),
        person=np.array([i.category is Category.PERSON for i in items], dtype=np.bool_),
    )


def _suspected_pairs(batch: _Batch, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """For each pair ``(a[k], b[k])`` of the batch: are they suspected, by the rule (names and categories)?"""
    out = np.zeros(len(a), dtype=np.bool_)
    decided: dict[tuple[int, int, bool], bool] = {}  # names repeat (residents at one anchor): decide each once
    for start in range(0, len(a), _PAIRS):
        x, y = a[start : start + _PAIRS], b[start : start + _PAIRS]
        same = batch.category[x] == batch.category[y]
        numbers_x, numbers_y = batch.numbers[x], batch.numbers[y]
        length_x, length_y = batch.length[x], batch.length[y]
        possible = (
            (batch.person[x] == batch.person[y])
            & (length_x > 0)
            & (length_y > 0)
            & ((numbers_x == 0) | (numbers_y == 0) | (numbers_x == numbers_y))
        )
        equal = (batch.compact[x] == batch.compact[y]) | (batch.ordered[x] == batch.ordered[y])
        out[start : start + len(x)] = possible & equal
        rest = np.flatnonzero(possible & ~equal)
        if not len(rest):
            continue
        x, y, same = x[rest], y[rest], same[rest]
        length_x, length_y = batch.length[x], batch.length[y]
        total = np.maximum(length_x + length_y, 1)
        shorter = np.minimum(length_x, length_y)
        common = np.minimum(batch.letters[x], batch.letters[y]).sum(axis=1)
        threshold = np.where(same, SIMILAR, VERY_SIMILAR)
        similar = (2 * shorter / total >= threshold) & (2 * common / total >= threshold)
        contained = same & (shorter >= _MIN_CONTAINED) & (common == shorter)
        for k in np.flatnonzero(similar | contained):
            i, j = int(x[k]), int(y[k])
            key = (int(batch.same_name[i]), int(batch.same_name[j]), bool(same[k]))
            if key not in decided:
                decided[key] = _match(batch.names[i], batch.names[j], same_category=bool(same[k]))
            out[start + rest[k]] = decided[key]
    return out


def _rd_xy(items: Sequence[AssetDraft | Asset]) -> npt.NDArray[np.float64]:
    if not items:
        return np.empty((0, 2))
    return np.column_stack(rd_xy([i.lon for i in items], [i.lat for i in items]))


def _pairs_within(
    left: npt.NDArray[np.float64],
    right: npt.NDArray[np.float64],
    radius_m: float,
    batch: _Batch,
    right_offset: int,
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
    """Chunks of (left indices, right indices, distances) of points at most ``radius_m`` apart whose names may match.

    Left point ``i`` is item ``i`` of ``batch``, right point ``j`` item
    ``right_offset + j``. Only pairs the rule can accept are looked for: the
    same person flag, names that are not empty, and the same numbers or none
    on one side (names whose numbers differ never match), so a file of
    numbered names near each other is not compared pair by pair. Pairs come
    in order of left index, then right index.
    """
    if not len(left) or not len(right):
        return
    right_items = np.arange(len(right)) + right_offset
    numbers_l, numbers_r = batch.numbers[: len(left)], batch.numbers[right_items]
    usable_l, usable_r = batch.length[: len(left)] > 0, batch.length[right_items] > 0
    person_l, person_r = batch.person[: len(left)].astype(np.int64), batch.person[right_items].astype(np.int64)
    # Three kinds of pair, each pair in exactly one: both with (the same) numbers; right without numbers;
    # left without numbers and right with. A lane is a group of points that can pair only among themselves.
    both_l, both_r = usable_l & (numbers_l != 0), usable_r & (numbers_r != 0)
    kinds = (
        (both_l, both_r, numbers_l * 2 + person_l, numbers_r * 2 + person_r),
        (usable_l, usable_r & (numbers_r == 0), person_l, person_r),
        (usable_l & (numbers_l == 0), both_r, person_l, person_r),
    )
    found = [_near(left, right, radius_m, *kind) for kind in kinds]
    i = np.concatenate([f[0] for f in found])
    j = np.concatenate([f[1] for f in found])
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    for start in range(0, len(i), _PAIRS):
        a, b = i[start : start + _PAIRS], j[start : start + _PAIRS]
        yield a, b, np.hypot(*(left[a] - right[b]).T)


def _near(
    left: npt.NDArray[np.float64],
    right: npt.NDArray[np.float64],
    radius_m: float,
    use_l: npt.NDArray[np.bool_],
    use_r: npt.NDArray[np.bool_],
    lane_l: npt.NDArray[np.int64],
    lane_r: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The pairs of used left and right points in the same lane at most ``radius_m`` apart.

    A lane is a third coordinate far from every other lane, so one spatial
    index finds the pairs of all lanes at once. A pair is within the radius
    as GEOS' ``dwithin`` decides it: ``sqrt(dx*dx + dy*dy) <= radius``.
    """
    picked_l, picked_r = np.flatnonzero(use_l), np.flatnonzero(use_r)
    if not len(picked_l) or not len(picked_r):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    _, lanes = np.unique(np.concatenate([lane_l[picked_l], lane_r[picked_r]]), return_inverse=True)
    spacing = 4.0 * radius_m + 1.0
    z = lanes.astype(np.float64) * spacing
    here = np.column_stack([left[picked_l], z[: len(picked_l)]])
    there = cKDTree(np.column_stack([right[picked_r], z[len(picked_l) :]]))
    reach = radius_m * (1 + 1e-9) + 1e-9  # a little more; the exact test follows
    # Chunks of left points with at most _PAIRS pairs each: many points at one spot (residents) stay bounded.
    counts = there.query_ball_point(here, reach, return_length=True)
    ends = _chunk_ends(np.asarray(counts, dtype=np.int64), _PAIRS)
    out_i, out_j = [], []
    begin = 0
    for end in ends:
        pairs = cKDTree(here[begin:end]).sparse_distance_matrix(there, reach, output_type="ndarray")
        i, j = pairs["i"].astype(np.int64) + begin, pairs["j"].astype(np.int64)
        dx, dy = left[picked_l[i], 0] - right[picked_r[j], 0], left[picked_l[i], 1] - right[picked_r[j], 1]
        within = np.sqrt(dx * dx + dy * dy) <= radius_m
        out_i.append(picked_l[i[within]])
        out_j.append(picked_r[j[within]])
        begin = end
    return np.concatenate(out_i), np.concatenate(out_j)


def _chunk_ends(counts: npt.NDArray[np.int64], most: int) -> list[int]:
    """Ends of consecutive chunks of ``counts`` whose sums stay at most ``most`` (a chunk holds one at least)."""
    ends: list[int] = []
    total = 0
    for k, count in enumerate(counts.tolist()):
        if total and total + count > most:
            ends.append(k)
            total = 0
        total += count
    ends.append(len(counts))
    return ends


# ---------------------------------------------------------------- the rule
def find_duplicates(
    drafts: Sequence[AssetDraft],
    existing: Sequence[Asset],
    *,
    radius_m: float = RADIUS_M,
    rows: Sequence[int] | None = None,
) -> list[Suspect]:
    """The suspected duplicates among ``drafts``: against live ``existing`` assets and against earlier drafts.

    A draft is compared with every live asset within ``radius_m`` except
    itself (a draft with a stored asset's id edits it), and with the drafts
    before it in the batch, by the rule of this module. ``rows`` (one per
    draft) are the file rows that messages name. Sorted by draft, then
    distance; a draft can be in several pairs.
    """
    live = [a for a in existing if not a.is_deleted]
    batch = _batch([*drafts, *live])  # drafts first: draft i is item i, live asset j is item len(drafts) + j
    here = _rd_xy(drafts)
    numbers = list(rows) if rows is not None else [None] * len(drafts)
    found: list[Suspect] = []
    for i, j, distance in _pairs_within(here, _rd_xy(live), radius_m, batch, len(drafts)):
        for k in np.flatnonzero(_suspected_pairs(batch, i, j + len(drafts))):
            draft, asset = drafts[i[k]], live[j[k]]
            if draft.id is None or draft.id != asset.id:
                found.append(
                    Suspect(
                        int(i[k]), draft.name, asset.name, round(distance[k]), existing_id=asset.id, row=numbers[i[k]]
                    )
                )
    for i, j, distance in _pairs_within(here, here, radius_m, batch, 0):
        earlier = j < i
        i, j, distance = i[earlier], j[earlier], distance[earlier]
        for k in np.flatnonzero(_suspected_pairs(batch, i, j)):
            found.append(
                Suspect(
                    int(i[k]),
                    drafts[i[k]].name,
                    drafts[j[k]].name,
                    round(distance[k]),
                    earlier=int(j[k]),
                    row=numbers[i[k]],
                    earlier_row=numbers[j[k]],
                )
            )
    # The stored asset's id last: ties at the same rounded distance come in one order, whatever the index.
    return sorted(
        found,
        key=lambda s: (s.draft, s.distance_m, s.earlier is not None, s.earlier or 0, s.other_name, s.existing_id or ""),
    )


def possible_duplicates(store: Store, draft: AssetDraft, *, radius_m: float = RADIUS_M) -> list[Suspect]:
    """The live assets a draft about to be saved may duplicate (reads only the assets near its point).

    Pass the draft as it will be stored: a resident placed at their buurt's
    anchor (:func:`abcd.assets.place_person`), since that is where they are
    compared.
    """
    bounds = (draft.lon, draft.lat, draft.lon, draft.lat)
    near = store.assets_near(bounds, margin_m=radius_m * 1.5)  # a margin: the box is in degrees, the rule in metres
    return find_duplicates([draft], near, radius_m=radius_m)


def suspects_table(suspects: Sequence[Suspect], lang: Lang = "nl") -> pd.DataFrame:
    """The pairs as a table for a page: ``row``, ``name``, ``existing`` (asset or earlier row), ``distance_m``."""
    import pandas as pd

    def other(s: Suspect) -> str:
        if s.existing_id is not None:
            return s.other_name
        return t("duplicates.earlier_row", lang, row=s.shown_earlier_row, name=s.other_name)

    return pd.DataFrame(
        {
            "row": [s.shown_row for s in suspects],
            "name": [s.name for s in suspects],
            "existing": [other(s) for s in suspects],
            "distance_m": [s.distance_m for s in suspects],
        }
    )


def _one_line(text: str) -> str:
    """A name on one line of a message or terminal (names are already folded; this is a safeguard)."""
    return " ".join(text.split())


__all__ = [
    "FILLER_WORDS",
    "RADIUS_M",
    "SIMILAR",
    "VERY_SIMILAR",
    "Duplicates",
    "DuplicatesFound",
    "Suspect",
    "find_duplicates",
    "name_similarity",
    "names_match",
    "normalise_name",
    "possible_duplicates",
    "suspects_table",
]
