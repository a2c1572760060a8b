"""Region reference, registry validation and settings."""

from __future__ import annotations

import pytest

from config.regions import RegionCodeError, get_region, normalize_code, villages_under
from config.registry import (
    RegistryError,
    build_registry_rows,
    load_registry,
    parse_registry,
    registry_csv,
)
from config.settings import DEFAULT_REGISTRY, Settings, SettingsError, load_settings, setting_help

HEADER = "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,adapter,base_url,token\n"
GOOD = "17.03.06.2001,Talang Jambu,17.03.06,Kerkap,summary-v1,http://127.0.0.1:8700/1703062001,\n"


def test_codes_accept_dotted_and_digits():
    assert normalize_code("1703062001") == "17.03.06.2001"
    assert normalize_code("17.03.06.2001") == "17.03.06.2001"
    assert normalize_code("1703") == "17.03"
    for bad in ("17.3", "abc", "17030620011", "1.703.06"):
        with pytest.raises(RegionCodeError):
            normalize_code(bad)


def test_reference_knows_bengkulu_utara():
    assert get_region("1703").nama == "Kabupaten Bengkulu Utara"
    villages = villages_under("17.03")
    assert len(villages) == 220
    kinds = [v.jenis for v in villages]
    assert kinds.count("kelurahan") == 5 and kinds.count("desa") == 215
    assert len({v.induk for v in villages}) == 19


def test_default_registry_is_bengkulu_utara():
    villages = load_registry(DEFAULT_REGISTRY)
    assert len(villages) == 220
    assert len({v.kode_kecamatan for v in villages}) == 19
    assert all(v.adapter == "summary-v1" for v in villages)
    assert villages[0].base_url == f"http://127.0.0.1:8700/{villages[0].kode_digits}"


def test_registry_init_for_a_kecamatan_and_other_province():
    rows = build_registry_rows(kecamatan="1703.06".replace(".", ""), adapter="opensid")
    assert rows and all(r["kode_kecamatan"] == "17.03.06" for r in rows)
    assert all(r["adapter"] == "opensid" for r in rows)
    # any kabupaten in Indonesia: Kota Bandung 32.73
    bandung = build_registry_rows(kabupaten="32.73", base_url="https://{kode}.example.test")
    assert len(bandung) > 100
    parsed = parse_registry(registry_csv(bandung))
    assert parsed[0].base_url == f"https://{parsed[0].kode_digits}.example.test"


@pytest.mark.parametrize(
    "row, problem",
    [
        (GOOD.replace("summary-v1", "ftp"), "unknown adapter 'ftp'"),
        (GOOD.replace("17.03.06.2001", "17.03.06.20x1"), "is not a village code"),
        (GOOD.replace("17.03.06.2001", "17.03.06.2999"), "not in the region reference"),
        (GOOD.replace("http://", "127."), "must start with http"),
        (GOOD.replace(",17.03.06,", ",17.03.07,"), "does not contain village"),
    ],
)
def test_registry_errors_name_line_and_problem(row, problem):
    with pytest.raises(RegistryError) as err:
        parse_registry(HEADER + GOOD.replace("2001", "2002") + row, source="v.csv")
    assert "v.csv, line 3" in str(err.value)
    assert problem in str(err.value)


def test_registry_duplicate_and_missing_column():
    with pytest.raises(RegistryError, match=r"line 3: duplicate kode_desa 17.03.06.2001 .*line 2"):
        parse_registry(HEADER + GOOD + GOOD.replace("17.03.06.2001", "1703062001"))
    with pytest.raises(RegistryError, match="missing column"):
        parse_registry("kode_desa,adapter\n17.03.06.2001,opensid\n")


def test_token_from_environment(monkeypatch):
    village = parse_registry(HEADER + GOOD.replace("2001,\n", "2001,env:DESA_TOKEN\n"))[0]
    monkeypatch.delenv("DESA_TOKEN", raising=False)
    with pytest.raises(RegistryError, match="DESA_TOKEN is not set"):
        village.resolve_token()
    monkeypatch.setenv("DESA_TOKEN", "s3cret")
    assert village.resolve_token() == "s3cret"
    assert "s3cret" not in repr(village)


def test_settings_env_over_toml_over_defaults(tmp_path):
    toml = tmp_path / "dasbor.toml"
    toml.write_text('concurrency = 8\nvillages = "from-toml.csv"\n')
    settings = load_settings(toml, env={"DASBOR_CONCURRENCY": "4"})
    assert settings.concurrency == 4
    assert settings.villages == "from-toml.csv"
    assert settings.read_timeout == Settings().read_timeout
    assert load_settings(env={}).resolved_database_url.endswith("var/dasbor.db")


def test_settings_errors_are_clear(tmp_path):
    with pytest.raises(SettingsError, match="unknown environment variable DASBOR_CONCURENCY"):
        load_settings(env={"DASBOR_CONCURENCY": "4"})
    with pytest.raises(SettingsError, match="expected int"):
        load_settings(env={"DASBOR_CONCURRENCY": "many"})
    bad = tmp_path / "x.toml"
    bad.write_text("colour = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings(bad, env={})


def test_every_setting_is_documented():
    assert all(setting_help().values())
