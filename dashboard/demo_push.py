"""The demo's pushed village (issue 11): one registry village sends as OpenSID sends to OpenDK.

`dasbor demo` marks DEMO_PUSH_VILLAGE push-only in its registry (adapter "opendk-push", so the
sweep never pulls it), issues it a token, and sends that village's whole sync (identitas,
penduduk, program bantuan and recipients, pembangunan and progress, laporan) over HTTP to the
receiver of a dashboard on loopback, with the requests OpenSID 2508 builds
(simulator.opendk_push). The pages then show it beside the pulled villages.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config.registry import Village, load_registry, registry_csv, village_rows
from config.settings import Settings
from warehouse.store import Warehouse

DEMO_PUSH_VILLAGE = "17.03.06.2002"  # Kerkap, the demo operator's kecamatan
PUSH_ADAPTER = "opendk-push"


def mark_push_village(
    villages: list[Village], registry_path: Path, settings: Settings
) -> tuple[list[Village], Path]:
    """The registry with the demo's push village marked push-only (written beside the demo's
    other files when it changes); unchanged when the village is not in it."""
    if all(v.kode_desa != DEMO_PUSH_VILLAGE or v.adapter == PUSH_ADAPTER for v in villages):
        return villages, registry_path
    marked = [replace(v, adapter=PUSH_ADAPTER) if v.kode_desa == DEMO_PUSH_VILLAGE else v
              for v in villages]  # fmt: skip
    path = Path(settings.var_dir) / "villages-demo.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(registry_csv(village_rows(marked)), encoding="utf-8")
    return load_registry(path), path


def push_demo_village(store: Warehouse, settings: Settings) -> list[tuple[str, int, object]]:
    """Issue the push village a token and send its sync through a receiver on loopback (a
    dashboard served by waitress with the serve command's options); the answers."""
    from waitress.server import create_server

    from dashboard.app import create_app
    from dashboard.opendk_receiver import server_options
    from simulator.opendk_push import push_village
    from warehouse.push_tokens import issue_token

    token = issue_token(store, DEMO_PUSH_VILLAGE, by="demo").token
    app = create_app(store, settings)
    server = create_server(app.server, host="127.0.0.1", port=0, threads=2, **server_options())
    thread = threading.Thread(target=server.run, name="demo-receiver", daemon=True)
    thread.start()
    try:
        now = datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)
        return push_village(f"http://127.0.0.1:{server.effective_port}", DEMO_PUSH_VILLAGE,
                            token, now=now)  # fmt: skip
    finally:
        # the worker threads first: a channel still finishing its answer pulls the server's
        # trigger, which close() would already have closed (waitress prints a traceback then)
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(5)
