"""Issue 10: every server callback of the app, posted to /_dash-update-component with values
of the wrong type or out of range (a list where a code belongs, 'x', -1, 1e20, null, dicts),
answers with the page's own state (200 or 204), never HTTP 500. Writing callbacks (upload,
collect-now) may also refuse cleanly (400/401/403) once sign-in guards them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from config.settings import Settings
from dashboard.app import create_app
from warehouse.store import Warehouse

# values a browser never sends but an attacker can: wrong types, out of range, odd shapes
HOSTILE = [
    ["17.03.06"],
    "x",
    -1,
    1e20,
    10**30,
    {"a": 1},
    [],
    "17.03.06.2001" * 50,
    {"points": [{"customdata": {"x": 1}, "location": ["a"], "x": None, "y": "x"}]},
    {"rowIndex": -1, "data": "x", "colId": {"a": 1}},
    "\x00\r\n<script>",
]
# writing callbacks: refused cleanly when they need a signed-in user
WRITING = ("ung-hasil.children", "pmt-permintaan.data")
CLEAN = {200, 204}
REFUSED = {400, 401, 403}


@pytest.fixture(scope="module")
def fuzz_app(collected_db, tmp_path_factory) -> Iterator:
    """The app over a private copy of the collected warehouse (collect-now and uploads write)."""
    source = collected_db.removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("fuzz") / "wh.db"
    shutil.copy(source, copy)
    store = Warehouse(f"sqlite:///{copy}")
    app = create_app(store, Settings())
    yield app
    store.engine.dispose()


def _server_callbacks(http) -> list[dict]:
    deps = http.get("/_dash-dependencies").get_json()
    return [d for d in deps if not d.get("clientside_function")]


def _outputs(dep: dict) -> list[dict] | dict:
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop.split("@")[0]})
    return outputs if len(outputs) > 1 else outputs[0]


def _item(spec: dict, value: object) -> dict:
    return {"id": spec["id"], "property": spec["property"], "value": value}


def _first_output(dep: dict) -> str:
    return dep["output"].strip(".").split("...")[0].split("@")[0]


def test_every_callback_survives_hostile_values(fuzz_app):
    http = fuzz_app.server.test_client()
    assert http.get("/").status_code == 200  # the first request registers the router
    callbacks = _server_callbacks(http)
    assert len(callbacks) >= 30  # every page's callbacks are registered, not a subset
    failures: list[str] = []
    sent = 0
    for dep in callbacks:
        specs = [("inputs", i) for i in range(len(dep["inputs"]))]
        specs += [("state", i) for i in range(len(dep["state"]))]
        for n, (kind, position) in enumerate(specs):
            # each position gets every other value, its neighbour the rest: every value reaches
            # every callback at half the cost
            for value in HOSTILE[n % 2 :: 2] if len(specs) > 1 else HOSTILE:
                body = {
                    "output": dep["output"],
                    "outputs": _outputs(dep),
                    "inputs": [_item(s, None) for s in dep["inputs"]],
                    "state": [_item(s, None) for s in dep["state"]],
                }
                body[kind][position]["value"] = value
                changed = body["inputs"][position if kind == "inputs" else 0]
                body["changedPropIds"] = [f"{changed['id']}.{changed['property']}"]
                resp = http.post("/_dash-update-component", json=body)
                sent += 1
                allowed = CLEAN | (REFUSED if _first_output(dep) in WRITING else set())
                if resp.status_code not in allowed:
                    failures.append(
                        f"{resp.status_code} {_first_output(dep)} "
                        f"{body[kind][position]['id']}={value!r:.40}"
                    )
    assert sent > 600
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:200])


def test_a_broken_callback_shows_the_pages_error_state(fuzz_app):
    """The router given a dict as the URL's query (it used to answer 500) shows the app's
    failure notice in the page slot, in the visitor's language."""
    http = fuzz_app.server.test_client()
    assert http.get("/").status_code == 200
    dep = next(d for d in _server_callbacks(http) if _first_output(d) == "_pages_content.children")
    body = {
        "output": dep["output"],
        "outputs": _outputs(dep),
        "inputs": [_item(dep["inputs"][0], "/kependudukan"), _item(dep["inputs"][1], {"a": 1})],
        "state": [],
        "changedPropIds": ["_pages_location.search"],
    }
    resp = http.post("/_dash-update-component", json=body)
    assert resp.status_code == 200
    shown = resp.get_json()["response"]["_pages_content"]["children"]
    assert shown["type"] == "Alert" and shown["props"]["color"] == "danger"
    assert "Terjadi galat." in str(shown)
    http.get("/bahasa/en?next=/")
    resp = http.post("/_dash-update-component", json=body)
    assert "Something went wrong." in str(resp.get_json()["response"])


MALFORMED = [
    {},
    [],
    "x",
    5,
    {"output": "x"},
    {"output": "rks-peta.figure"},
    {
        "output": "rks-peta.figure",
        "outputs": {"id": "rks-peta", "property": "figure"},
        "inputs": "x",
        "changedPropIds": [],
    },  # fmt: skip
    {
        "output": "rks-peta.figure",
        "outputs": {"id": "rks-peta", "property": "figure"},
        "inputs": [1, 2, 3],
        "changedPropIds": [],
    },  # fmt: skip
    {
        "output": "nope.children",
        "outputs": {"id": "nope", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
    },  # fmt: skip
]


def test_a_callback_request_no_renderer_sends_is_a_bad_request(fuzz_app):
    """Bodies that fail inside Dash's dispatch, before any callback runs, answer 400."""
    http = fuzz_app.server.test_client()
    assert http.get("/").status_code == 200
    for body in MALFORMED:
        resp = http.post("/_dash-update-component", json=body)
        assert resp.status_code in {400, 401, 403}, (body, resp.status_code)
    resp = http.post("/_dash-update-component", data=b"{not json", content_type="application/json")
    assert resp.status_code == 400
