"""The app server's long-lived objects, kept out of the way of Python's cyclic garbage collector.

A full collection walks every object the collector tracks. An app server holds about 200,000 that
live as long as the process (the modules of pandas, geopandas, folium, Streamlit and ``abcd``, the
wijk catalogue, cached resources), and a full collection came every run or two: 100-230 ms on the
benchmark machine, holding the GIL, so the server answered no request and sent no message meanwhile
(the Kaart page's map started that much later). :func:`settle` moves what is alive into the
permanent generation that the collector skips; reference counting still frees those objects when
they are let go, only a reference cycle among them would stay.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_at_freeze = 0


def settle() -> bool:
    """Freeze what is alive now if modules were imported since the last time; whether it did.

    Called at the start of every run: a freeze follows each wave of imports (the first runs, a page
    that loads a library of its own), so it happens a handful of times in a server's life, each time
    after a collection (about 0.1 s) so that no garbage is frozen with the living.
    """
    global _modules_at_freeze
    if len(sys.modules) <= _modules_at_freeze or not _lock.acquire(blocking=False):
        return False
    try:
        gc.collect()
        gc.freeze()
        _modules_at_freeze = len(sys.modules)
        return True
    finally:
        _lock.release()
