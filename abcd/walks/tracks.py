"""Walk tracks: a GPX file or the app's recorded positions, cleaned into one line in WGS84.

A :class:`Track` is where someone walked and when: a LineString (a
MultiLineString where the track has gaps) in WGS84, the first and last time
and how many positions it kept. Two sources give one:

:func:`read_gpx`
    A GPX file, read with GDAL's GPX driver (pyogrio): its tracks (layer
    ``track_points``, each ``<trkseg>`` a part of its own) or, in a file
    without a track, its routes (``route_points``). Waypoints are ignored.
:func:`track_from_positions`
    The app's recorder: ``[time_ms, lon, lat, accuracy_m]`` per position, as
    the phone's ``navigator.geolocation`` gave them.

Phones and loggers make three kinds of error, and each is handled the same
way for both sources wherever the times are known:

- a position less accurate than :data:`MAX_ACCURACY_M` (50 m: a fix from
  cell towers or wifi, not from satellites) is dropped (the recorder only: GPX
  files carry no accuracy);
- a position that implies more than :data:`MAX_SPEED_KMH` (30 km/h: faster
  than anyone walks, or cycles through a neighbourhood) both from the one
  before and to the one after is a glitch, a jump away and back, and is dropped;
- where two positions that remain are further apart than :data:`MAX_GAP_M`
  (100 m: the phone slept, or lost the satellites indoors) or still imply more
  than 30 km/h, the line is cut in two: nobody knows which way the walker went
  in between, and a straight line across the blocks would mark streets nobody walked.

A track without times (a route drawn in a planner) is taken as drawn. A
track with fewer than two positions left, no position at all, or a position
that cannot be a place on earth (a latitude of 200) is refused with a
message that says so; a file beyond :data:`abcd.limits.MAX_FILE_BYTES` or
with more than :data:`abcd.limits.MAX_GEOMETRY_VERTICES` positions too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import LineString, MultiLineString

from abcd import io
from abcd.errors import ImportFileError, ValidationError
from abcd.limits import MAX_FILE_BYTES, MAX_GEOMETRY_VERTICES
from abcd.places import rd_geometry, to_rd

MAX_ACCURACY_M: Final = 50.0
"""Recorded positions less accurate than this are dropped."""
MAX_SPEED_KMH: Final = 30.0
"""A step faster than this is a GPS error (a glitch is dropped, a jump cuts the line)."""
MAX_GAP_M: Final = 100.0
"""Positions further apart than this (with times) are not joined: the way in between is unknown."""
MAX_POSITIONS: Final = MAX_GEOMETRY_VERTICES
"""Positions per track: a track is one geometry (50,000 is 14 hours at one position a second)."""
GPX_SUFFIX: Final = ".gpx"
_SPEED_MS: Final = MAX_SPEED_KMH / 3.6
_PROLOG_BYTES: Final = 65_536  # a GPX file's XML declaration and root element lie within this

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Track:
    """Where someone walked: a (multi)line in WGS84, when the walk began and ended, and how many positions it kept.

    ``started_at`` and ``ended_at`` are ``None`` for a track without times.
    Who walked is not part of the track: that is the account recording it
    (a GPX file's own ``<author>`` is not evidence of anything).
    """

    line: LineString | MultiLineString
    started_at: datetime | None
    ended_at: datetime | None
    positions: int

    @property
    def length_m(self) -> float:
        """The length of the line in metres (RD New)."""
        return float(shapely.length(rd_geometry(self.line)))


# --------------------------------------------------------------------------
# GPX files
# --------------------------------------------------------------------------


def read_gpx(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Track:
    """The track of a GPX file (its tracks, else its routes), cleaned as the module docstring says.

    Raises
    ------
    ImportFileError
        For a file that is missing, empty, too large, not GPX, holds no
        track or route points, more than :data:`MAX_POSITIONS`, or a
        position that is no place on earth.
    ValidationError
        When fewer than two usable positions remain.
    """
    path = Path(path)
    if path.suffix.lower() != GPX_SUFFIX:
        raise ImportFileError("error.file_format", suffix=path.suffix or path.name, allowed=GPX_SUFFIX)
    io.check_file(path, max_bytes=max_bytes)
    _check_prolog(path)
    frame = _read_points(path)
    lon, lat = _coordinates(frame, path)
    times = _times(frame["time"]) if "time" in frame.columns else None
    return _track(lon, lat, times, frame["part"].to_numpy(dtype=np.int64), accuracy=None)


def _check_prolog(path: Path) -> None:
    """Refuse a file that declares a DTD: GPX has none, and entities are how an XML file blows up in a parser."""
    with path.open("rb") as handle:
        head = handle.read(_PROLOG_BYTES)
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise ImportFileError("error.gpx_not_gpx", path=path.name)


def _read_points(path: Path) -> pd.DataFrame:
    """The points of the file's tracks (else routes) with ``part`` (track and segment) and ``time``, in file order."""
    try:
        if pyogrio.read_info(path, layer=0)["driver"] != "GPX":
            raise ImportFileError("error.gpx_not_gpx", path=path.name)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        raise ImportFileError("error.gpx_not_gpx", path=path.name) from None
    for layer, parts in (("track_points", ["track_fid", "track_seg_id"]), ("route_points", ["route_fid"])):
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, columns=[*parts, "time"], max_features=MAX_POSITIONS + 1)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
            raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
        if len(frame) > MAX_POSITIONS:
            raise ImportFileError("error.too_many_rows", count=f"{MAX_POSITIONS}+", max=MAX_POSITIONS)
        if len(frame):
            keys = frame[parts].astype(np.int64)
            part = pd.factorize(pd.MultiIndex.from_frame(keys) if len(parts) > 1 else keys[parts[0]])[0]
            out = pd.DataFrame({"part": part, "time": frame["time"]})
            xy = shapely.get_coordinates(np.asarray(frame.geometry.values))
            out["lon"], out["lat"] = xy[:, 0], xy[:, 1]
            return out
    raise ImportFileError("error.gpx_no_points", path=path.name)


def _coordinates(frame: pd.DataFrame, path: Path) -> tuple[FloatArray, FloatArray]:
    lon = frame["lon"].to_numpy(dtype=np.float64)
    lat = frame["lat"].to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        first = int(np.argmax(bad))
        raise ImportFileError(
            "error.gpx_coordinates", path=path.name, row=first + 1, lat=float(lat[first]), lon=float(lon[first])
        )
    return lon, lat


def _times(values: pd.Series) -> FloatArray | None:
    """Seconds since the epoch per point; ``None`` unless every point has a time (naive times are UTC)."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    if stamps.isna().any():
        return None
    return (stamps - pd.Timestamp(0, tz=UTC)).dt.total_seconds().to_numpy(dtype=np.float64)


# --------------------------------------------------------------------------
# The app's recorder
# --------------------------------------------------------------------------


def track_from_positions(positions: Sequence[Any]) -> Track:
    """The track of the app's recorded positions: ``[time_ms, lon, lat, accuracy_m]`` each, in the order taken.

    ``accuracy_m`` may be ``None`` (unknown; kept). Positions are cleaned as
    the module docstring says.

    >>> start = 1_780_000_000_000  # ms; a position every 10 s, 7 m apart
    >>> track = track_from_positions([[start + 10_000 * i, 4.4413 + 0.0001 * i, 51.9107, 5] for i in range(5)])
    >>> track.positions, round(track.length_m)
    (5, 28)

    Raises
    ------
    ValidationError
        For positions that are not a list of such lists (naming the first bad
        one), more than :data:`MAX_POSITIONS`, or fewer than two usable.
    """
    if not isinstance(positions, Sequence) or isinstance(positions, str | bytes):
        raise ValidationError("error.walk_positions", row=0)
    if len(positions) > MAX_POSITIONS:
        raise ValidationError("error.too_many_rows", count=len(positions), max=MAX_POSITIONS)
    rows = np.full((len(positions), 4), np.nan)
    for number, position in enumerate(positions, start=1):
        rows[number - 1] = _position(position, number)
    accuracy = rows[:, 3]
    return _track(rows[:, 1], rows[:, 2], rows[:, 0] / 1000.0, np.zeros(len(rows), np.int64), accuracy=accuracy)


def _position(position: Any, number: int) -> tuple[float, float, float, float]:
    if not isinstance(position, Sequence) or isinstance(position, str | bytes) or len(position) != 4:
        raise ValidationError("error.walk_positions", row=number)
    values = []
    for k, value in enumerate(position):
        if value is None and k == 3:
            values.append(math.nan)  # accuracy unknown
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError("error.walk_positions", row=number)
        values.append(float(value))
    time_ms, lon, lat, accuracy = values
    if not (abs(lat) <= 90 and abs(lon) <= 180 and time_ms >= 0 and not accuracy < 0):
        raise ValidationError("error.walk_positions", row=number)
    return time_ms, lon, lat, accuracy


# --------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------


def _track(
    lon: FloatArray, lat: FloatArray, times: FloatArray | None, part: IntArray, *, accuracy: FloatArray | None
) -> Track:
    keep = np.ones(lon.size, dtype=bool)
    if accuracy is not None:
        keep &= ~(accuracy > MAX_ACCURACY_M)  # NaN (unknown) stays
    lon, lat, part = lon[keep], lat[keep], part[keep]
    times = None if times is None else times[keep]
    if times is not None:  # in the order they were taken, part by part (a GPX file may list them otherwise)
        order = np.lexsort((times, part))
        lon, lat, part, times = lon[order], lat[order], part[order], times[order]
    x, y = to_rd().transform(lon, lat)
    xy = np.column_stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    runs = _runs(xy, times, part)
    kept = sum(len(r) for r in runs)
    if kept < 2:
        raise ValidationError("error.walk_too_short", n=kept)
    lines = [LineString(np.column_stack([lon[r], lat[r]])) for r in runs]
    line: LineString | MultiLineString = lines[0] if len(lines) == 1 else MultiLineString(lines)
    used = np.concatenate(runs)
    started = ended = None
    if times is not None:
        started = datetime.fromtimestamp(float(times[used].min()), UTC)
        ended = datetime.fromtimestamp(float(times[used].max()), UTC)
    return Track(line=line, started_at=started, ended_at=ended, positions=kept)


def _runs(xy: FloatArray, times: FloatArray | None, part: IntArray) -> list[IntArray]:
    """The positions kept, as runs of indices that form one line each (at least two positions per run)."""
    index = np.arange(part.size, dtype=np.int64)
    if times is not None:
        index = index[~_glitches(xy, times, part)]
    cut = np.ones(max(index.size - 1, 0), dtype=bool)
    if index.size > 1:
        a, b = index[:-1], index[1:]
        cut = part[a] != part[b]
        if times is not None:
            step = np.hypot(*(xy[b] - xy[a]).T)
            cut |= (step > MAX_GAP_M) | (step > _SPEED_MS * np.maximum(times[b] - times[a], 1.0))
    runs = np.split(index, np.flatnonzero(cut) + 1) if index.size else []
    return [r for r in runs if r.size >= 2]


def _glitches(xy: FloatArray, times: FloatArray, part: IntArray) -> npt.NDArray[np.bool_]:
    """Positions that jump away and back: too fast both from the one before and to the one after (same part)."""
    n = part.size
    glitch = np.zeros(n, dtype=bool)
    if n < 3:
        return glitch
    step = np.hypot(*(xy[1:] - xy[:-1]).T)
    fast = (step > _SPEED_MS * np.maximum(times[1:] - times[:-1], 1.0)) & (part[1:] == part[:-1])
    glitch[1:-1] = fast[:-1] & fast[1:]
    return glitch


__all__ = [
    "GPX_SUFFIX",
    "MAX_ACCURACY_M",
    "MAX_GAP_M",
    "MAX_POSITIONS",
    "MAX_SPEED_KMH",
    "Track",
    "read_gpx",
    "track_from_positions",
]
