"""Failure reasons as codes with values (issue 8): every code raised anywhere has its text in
both languages, every value a text names is supplied where it is raised, and a stored reason
renders in the page's language, falling back to its original text."""

from __future__ import annotations

import ast
import json
import string
from collections import defaultdict
from pathlib import Path

import pytest

from collectors.adapters.common import check_sums, parse_count
from collectors.http import FetchError, status_error, status_reason
from collectors.model import CategoryRow, Counts, DatasetResult, PayloadError, Reason, Statistic
from i18n.catalogue import CATALOGUE, LANGUAGES
from i18n.reasons import (
    COMPOSITE,
    PLACE_PARAMS,
    catalogue_codes,
    decode_params,
    render_reason,
)

ROOT = Path(__file__).resolve().parents[1]
RAISERS = {"FetchError", "PayloadError", "Reason"}  # what a raise site constructs
# values a renderer puts around the text, never into it
PREFIX = {"tempat"}


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _dict_keys(node: ast.AST | None) -> set[str] | None:
    """The keys of a literal dict (or of params_json({...})); None if not literal."""
    if node is None:
        return set()
    if isinstance(node, ast.Call) and _call_name(node) == "params_json" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {k.value for k in node.keys}
    return None


def raise_sites() -> dict[str, list[tuple[str, int, set[str]]]]:
    """code -> (file, line, parameter names) of every place that names a reason's code: a
    `code="..."` keyword (FetchError, PayloadError, Reason) in collectors/, and the
    warehouse's own refusals (`_Why(text, "code", params_json({...}))`)."""
    sites: dict[str, list] = defaultdict(list)
    for folder in ("collectors", "warehouse"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _call_name(node)
                keywords = {k.arg: k.value for k in node.keywords}
                if name == "_Why" and len(node.args) >= 2:
                    code, params = node.args[1], node.args[2] if len(node.args) > 2 else None
                elif "code" in keywords:
                    code, params = keywords["code"], keywords.get("params")
                else:
                    continue
                where = (str(path.relative_to(ROOT)), node.lineno)
                if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                    # a reason passed on (exc.code, reason.code): checked where it was made
                    assert isinstance(code, ast.Attribute), f"{where}: code must be literal"
                    continue
                keys = _dict_keys(params)
                assert keys is not None, f"{where}: params of {code.value} must be a literal dict"
                sites[code.value].append((*where, keys))
    return sites


def test_every_raise_site_names_a_code():
    """No FetchError or PayloadError in the collectors without a code: a reason without one
    would show in English on the Indonesian pages."""
    missing = []
    for path in (ROOT / "collectors").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in RAISERS:
                if _call_name(node) == "Reason" and path.name == "model.py":
                    continue  # Reason's own methods build reasons from reasons
                if not any(k.arg == "code" for k in node.keywords) and not (
                    _call_name(node) == "Reason" and len(node.args) >= 2
                ):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_every_code_has_both_languages_and_every_named_value_is_supplied():
    sites = raise_sites()
    assert len(sites) > 60, "the scan found too few codes: the pattern is wrong"
    for code, places in sites.items():
        for lang in LANGUAGES:
            assert f"alasan.{code}" in CATALOGUE[lang], (code, lang, places[0])
            text = CATALOGUE[lang][f"alasan.{code}"]
            named = {field for _, field, _, _ in string.Formatter().parse(text) if field}
            assert not named & PREFIX, (code, "tempat is put before the text, never in it")
            for path, line, keys in places:
                assert named <= keys, f"{path}:{line}: {code} ({lang}) needs {named - keys}"
    # and the catalogue has no code nobody raises (a typo on either side)
    pushed = {code for code in catalogue_codes() if code.startswith("push.")}  # checked below
    assert set(catalogue_codes()) - set(sites) - {"dan_lain"} - pushed == set()


def test_every_push_refusal_has_both_languages_and_its_values():
    """A refused push (collectors/opendk/errors.py) is stored with its code and values: the
    pages' text names only values its own message names, in both languages."""
    from collectors.opendk.errors import MESSAGES

    codes = set(MESSAGES["en"])
    assert len(codes) > 40
    assert {c for c in catalogue_codes() if c.startswith("push.")} == codes
    for code in codes:
        given = {f for _, f, _, _ in string.Formatter().parse(MESSAGES["en"][code]) if f}
        for lang in LANGUAGES:
            text = CATALOGUE[lang][f"alasan.{code}"]
            named = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert named <= given, (code, lang, named - given)


def test_a_place_is_said_in_the_pages_language():
    reason = status_reason(500).at("statistik agama (key 3)")
    assert reason.text == "statistik agama (key 3): HTTP 500: server error at the village"
    params = json.dumps(reason.params)
    assert render_reason(reason.code, params, reason.text, "id") == (
        "statistik agama (kunci 3): HTTP 500: galat server di desa"
    )
    assert render_reason(reason.code, params, reason.text, "en") == reason.text
    assert PLACE_PARAMS >= {"tempat"}


def test_the_sum_rule_in_both_languages_with_numbers_in_the_page_language():
    stat = Statistic(
        "agama",
        (CategoryRow("1", "ISLAM", Counts(1200, 600, 600)),),
        Counts(3, 1, 2),
        Counts(1300, 700, 600),
    )
    with pytest.raises(PayloadError) as caught:
        check_sums(stat, "statistik agama (key 3)")
    exc = caught.value
    # the English message stays as it was: operators and tests rely on it
    assert str(exc) == (
        "statistik agama (key 3): rows (1200) + belum mengisi (3) = 1203, but total is 1300"
    )
    assert exc.code == "sum.rows_total"
    assert render_reason(exc.code, exc.params, str(exc), "id") == (
        "statistik agama (kunci 3): baris (1.200) + belum mengisi (3) = 1.203, padahal jumlah 1.300"
    )
    assert render_reason(exc.code, exc.params, str(exc), "en") == (
        "statistik agama (key 3): rows (1,200) + not filled in (3) = 1,203, but total is 1,300"
    )


def test_a_negative_count_names_its_field():
    with pytest.raises(PayloadError) as caught:
        parse_count(-4, "statistik agama (key 3), id 1.laki")
    exc = caught.value
    assert render_reason(exc.code, json.dumps(exc.params), str(exc), "id") == (
        "statistik agama (kunci 3), id 1.laki: jumlah negatif: -4"
    )


def test_several_reasons_of_one_dataset_render_each():
    parts = [status_reason(500).at(f"statistik {s}") for s in ("jenis-kelamin", "bdt")]
    combined = Reason.combine(parts)
    assert combined.code == COMPOSITE
    assert combined.text == "; ".join(p.text for p in parts)  # the original, as before
    stored = json.dumps(combined.params)
    assert render_reason(combined.code, stored, combined.text, "id") == (
        "statistik jenis-kelamin: HTTP 500: galat server di desa; "
        "statistik bdt: HTTP 500: galat server di desa"
    )
    assert Reason.combine([parts[0], parts[0]]) == parts[0]  # the same text once


def test_rows_stored_before_codes_and_unknown_codes_show_their_original_text():
    assert render_reason(None, None, "HTTP 500: server error at the village", "id") == (
        "HTTP 500: server error at the village"
    )
    assert render_reason("a.code.from.a.newer.collector", "{}", "the original", "id") == (
        "the original"
    )
    # values a text needs but the row lacks (an older collector): the original, not a crash
    assert render_reason("http.server_error", "{}", "HTTP 500 (old)", "id") == "HTTP 500 (old)"
    assert render_reason(float("nan"), None, float("nan"), "id") is None
    assert decode_params("not json") == {} and decode_params(None) == {}


def test_errors_carry_their_reason_into_the_dataset_result():
    error = status_error(401, "statistik agama (key 3)")
    assert isinstance(error, FetchError) and error.http_status == 401
    result = DatasetResult.failure("agama", error.reason, http_status=401)
    assert (result.status, result.error, result.error_code) == (
        "failed",
        "statistik agama (key 3): HTTP 401: token wrong or expired (check the registry token)",
        "http.unauthorized",
    )
    assert result.error_params == {"http_status": 401, "tempat": "statistik agama (key 3)"}
    assert render_reason(result.error_code, result.error_params, result.error, "id") == (
        "statistik agama (kunci 3): HTTP 401: token salah atau kedaluwarsa "
        "(periksa token di registri)"
    )


def test_the_warehouse_stores_codes_and_its_own_refusals(store):
    """On both backends: a failed write keeps its text, code and values in fetch_log and
    dataset_status; what the warehouse refuses itself carries a code too."""
    from warehouse.store import DatasetWrite, ObservationRow

    desa = "17.03.06.2001"
    run = store.start_run()
    reason = status_reason(500).at("statistik agama (key 3)")
    huge = [ObservationRow("1", "ISLAM", 2**70, 2**69, 2**69, urutan=1)]
    twice = [ObservationRow("1", "ISLAM", 9, 5, 4), ObservationRow("1", "ISLAM", 1, 1, 0)]
    writes = [
        DatasetWrite("agama", "failed", None, 500, 10, reason.text, error_code=reason.code,
                     error_params=reason.params),
        DatasetWrite("pekerjaan", "ok", huge),
        DatasetWrite("golongan-darah", "ok", twice),
    ]  # fmt: skip
    assert set(store.record_village(run, desa, writes).values()) == {"failed"}
    log = store.fetch_log_frame(run).set_index("dataset")
    assert log.loc["agama", "error"] == reason.text  # the original, for operators
    assert log.loc["agama", "error_code"] == "http.server_error"
    assert decode_params(log.loc["agama", "error_params"]) == {
        "http_status": 500,
        "tempat": "statistik agama (key 3)",
    }
    assert log.loc["pekerjaan", "error_code"] == "value.out_of_range"  # warehouse.bounds
    assert log.loc["golongan-darah", "error_code"] == "warehouse.invalid"
    status = store.dataset_status_frame().set_index("dataset")
    for dataset in ("agama", "pekerjaan", "golongan-darah"):
        row = status.loc[dataset]
        assert row["last_error_code"] == log.loc[dataset, "error_code"]
        assert row["last_error"] == log.loc[dataset, "error"]
        shown = render_reason(row["last_error_code"], row["last_error_params"],
                              row["last_error"], "id")  # fmt: skip
        assert shown and shown != row["last_error"], dataset  # said in Indonesian
    # a later failure replaces the code and its values
    run2 = store.start_run()
    timeout = FetchError("no answer within 10 s (timeout)", code="http.timeout",
                         params={"detik": 10}).reason  # fmt: skip
    store.record_village(run2, desa, [
        DatasetWrite("agama", "failed", None, None, 0, timeout.text, error_code=timeout.code,
                     error_params=timeout.params),
    ])  # fmt: skip
    row = store.dataset_status_frame().set_index("dataset").loc["agama"]
    assert (row["last_error_code"], row["last_error_params"]) == ("http.timeout", '{"detik": 10}')
