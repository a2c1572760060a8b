"""Warming the per-run view cache in the web process, so no visitor pays for a new run.

Pages compute their views on first use after each collection run (`dashboard.app.cached`);
for the whole kabupaten that first request takes 0.3–2 s. The scheduler runs in its own
process, so the web process notices a new run by polling `latest_run_id` (one cheap query)
and then renders every page's layout for the kabupaten and each kecamatan in a background
thread, in the default language, exactly as a request would.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Iterable, Sequence

import dash

from dashboard.context import data_source
from dashboard.pages import PAGE_MODULES

log = logging.getLogger(__name__)


def warmable_pages() -> list[object]:
    """Page modules with a region layout (every page but the one-village profile)."""
    found = []
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        template = getattr(module, "PATH_TEMPLATE", None) or ""
        if "<kode>" not in template and callable(getattr(module, "layout", None)):
            found.append(module)
    return found


def warm_regions(regions_frame) -> list[str | None]:
    """None (the page's default: the whole kabupaten or provinsi), then every kabupaten of a
    provinsi registry, then every kecamatan code."""
    if regions_frame.empty:
        return [None]
    kecamatan = regions_frame.loc[regions_frame["tingkat"] == "kecamatan", "kode"]
    kabupaten = regions_frame.loc[regions_frame["tingkat"] == "kabupaten", "kode"]
    upper = sorted(str(k) for k in kabupaten) if len(kabupaten) > 1 else []
    return [None, *upper, *sorted(str(k) for k in kecamatan)]


def warm_views(
    app: dash.Dash,
    regions: Sequence[str | None] | None = None,
    pages: Iterable[object] | None = None,
    pause: float = 0.0,
) -> dict:
    """Render each page's layout for each region inside a request context of `app` (filling
    the view cache of the current run); returns {"run_id", "views", "failed", "seconds"}."""
    start = time.perf_counter()
    views = failed = 0
    with app.server.app_context():
        snapshot = data_source().snapshot()
        chosen = list(regions) if regions is not None else warm_regions(snapshot.regions)
    for module in list(pages) if pages is not None else warmable_pages():
        path = getattr(module, "PATH", "/")
        for kode in chosen:
            query = f"?wilayah={kode}" if kode else ""
            try:
                with app.server.test_request_context(path + query):
                    if data_source().snapshot() is not snapshot:
                        break  # a newer run landed meanwhile: the next round warms that one
                    module.layout(**({"wilayah": kode} if kode else {}))
                views += 1
            except Exception:  # a page that fails here fails for the visitor too, logged there
                failed += 1
                log.exception("warming %s%s failed", path, query)
            if pause:
                time.sleep(pause)  # let waiting requests take the interpreter
    seconds = round(time.perf_counter() - start, 2)
    return {"run_id": snapshot.run_id, "views": views, "failed": failed, "seconds": seconds}


class Warmer(threading.Thread):
    """Polls for a new collection run every `interval` seconds and warms the views for it."""

    def __init__(
        self,
        app: dash.Dash,
        interval: float,
        pause: float = 0.01,
        regions: Sequence[str | None] | None = None,
        pages: Sequence[object] | None = None,
    ) -> None:
        super().__init__(name="dasbor-warmer", daemon=True)
        self.app = app
        self.regions, self.pages = regions, pages
        self.interval = interval
        self.pause = pause
        self.stopped = threading.Event()
        self.warmed_run: int | None = None
        self.warmed_version: tuple | None = None  # (run, rollup): a new rollup warms again
        self.rounds = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            self.step()
            self.stopped.wait(self.interval)

    def step(self) -> dict | None:
        """One poll: warm when the latest run is not the one warmed last; the result or None."""
        try:
            with self.app.server.app_context():
                version = data_source().version()
            if self.rounds and version == self.warmed_version:
                return None
            result = warm_views(self.app, self.regions, self.pages, pause=self.pause)
        except Exception:
            log.exception("warming the view cache failed; pages compute on first use instead")
            return None
        self.warmed_run, self.rounds = result["run_id"], self.rounds + 1
        self.warmed_version = version
        log.info(
            "warmed %s views of run %s in %s s (%s failed)",
            result["views"],
            result["run_id"],
            result["seconds"],
            result["failed"],
        )
        return result

    def stop(self) -> None:
        self.stopped.set()
