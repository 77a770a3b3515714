"""abcd.heap: what is alive after a wave of imports is frozen, once per wave, and still freed when let go."""

from __future__ import annotations

import gc
import importlib
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from abcd import heap


@pytest.fixture
def fresh_heap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(heap, "_modules_at_freeze", 0)
    yield
    gc.unfreeze()  # the rest of the test session collects as before


class Node:
    """A plain object the collector tracks."""


def test_a_freeze_follows_each_wave_of_imports_and_only_then(
    fresh_heap: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = Node()
    assert heap.settle() is True
    frozen = gc.get_freeze_count()
    assert frozen > 0 and gc.is_tracked(kept)
    assert heap.settle() is False  # nothing imported since: no collection, no freeze
    assert gc.get_freeze_count() == frozen

    (tmp_path / "abcd_heap_probe.py").write_text("TABLE = {'a': [1, 2, 3]}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "abcd_heap_probe", raising=False)
    importlib.import_module("abcd_heap_probe")
    assert heap.settle() is True  # a page that imported a library of its own
    assert gc.get_freeze_count() > frozen


def test_frozen_objects_are_still_freed_when_let_go(fresh_heap: None) -> None:
    alive = Node()
    ref = weakref.ref(alive)
    assert heap.settle() is True
    del alive  # reference counting frees it, frozen or not
    assert ref() is None


def test_garbage_is_collected_before_the_freeze(fresh_heap: None) -> None:
    cycle = Node()
    cycle.me = cycle  # type: ignore[attr-defined]  # a reference cycle: only the collector frees it
    ref = weakref.ref(cycle)
    del cycle
    assert ref() is not None
    assert heap.settle() is True
    assert ref() is None  # collected, not frozen with the living
