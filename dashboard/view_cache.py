"""The per-run view cache: aggregates and whole views computed once per run, region, filter
and language, then served from memory (a new run gives a new snapshot and an empty cache)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context

from dashboard.data import Snapshot

if TYPE_CHECKING:
    import pandas as pd

    from warehouse.rollups import FrameKey

VIEW_CACHE = "DASBOR_VIEW_CACHE"  # its key in app.server.config


class ViewCache:
    """Aggregates computed for the current snapshot, so repeated filters cost nothing.

    Cleared when a new collection run gives a new snapshot; past `maxsize` entries the least
    recently used one goes (the warmed kabupaten and kecamatan views, and the frames every view
    reads, stay hot). Cached frames are shared between requests: callers must not modify them.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self._lock = threading.Lock()
        self._owner: Snapshot | None = None
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self.maxsize = maxsize

    def get(self, snapshot: Snapshot, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if self._owner is not snapshot:
                self._owner, self._items = snapshot, OrderedDict()
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            if self._owner is snapshot:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value

    def keys(self, snapshot: Snapshot) -> list[tuple]:
        """The keys held for `snapshot` (none when the cache belongs to another run)."""
        with self._lock:
            return list(self._items) if self._owner is snapshot else []


def cached(snapshot: Snapshot, key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` once per snapshot and key (in a request of this app)."""
    return current_app.config[VIEW_CACHE].get(snapshot, key, compute)


def cached_rolled(
    snapshot: Snapshot, key: FrameKey, kode: str | None, compute: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """`snapshot.rolled(key, kode, compute)` once per snapshot, rollup table and region (in a
    request of this app); callers must not modify the frame."""
    return cached(snapshot, ("rolled", key, kode), lambda: snapshot.rolled(key, kode, compute))


def cached_if_app(snapshot: Snapshot, key: tuple, compute: Callable[[], Any]) -> Any:
    """`cached` inside the app; outside it (a unit test of a builder) `compute()` each time."""
    if has_app_context() and VIEW_CACHE in current_app.config:
        return cached(snapshot, key, compute)
    return compute()


def _key_part(arg: object) -> object:
    """An argument as part of a cache key: itself, or its identity when it cannot be hashed
    (a page's module-level spec)."""
    try:
        hash(arg)
    except TypeError:
        return ("id", id(arg))
    return arg


def cached_view(name: str) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Decorates a page's `render(..., snapshot, ...)`: its view is computed once per run and
    arguments (region, filters, language), so the layout and the callback, and every visitor
    after the first, share it. Callers get a shallow copy they may add keys to."""

    def wrap(render: Callable[..., dict]) -> Callable[..., dict]:
        @functools.wraps(render)
        def view(*args: Any) -> dict:
            snapshot = next(a for a in args if isinstance(a, Snapshot))
            key = (name, *(_key_part(a) for a in args if a is not snapshot))
            return dict(cached(snapshot, key, lambda: render(*args)))

        return view

    return wrap
