"""One settings object: DASBOR_* environment variables over a TOML file over defaults."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_REGISTRY = CONFIG_DIR / "villages-17.03.csv"


class SettingsError(ValueError):
    """A setting is unknown or has the wrong type; the message says how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default="",
        metadata={"help": "SQLAlchemy URL of the warehouse; default: SQLite file var/dasbor.db"},
    )
    villages: str = field(
        default=str(DEFAULT_REGISTRY), metadata={"help": "Path of the village registry CSV"}
    )
    var_dir: str = field(default="var", metadata={"help": "Folder for the SQLite warehouse"})
    concurrency: int = field(default=32, metadata={"help": "Villages pulled at once"})
    connect_timeout: float = field(default=3.0, metadata={"help": "Seconds to connect"})
    read_timeout: float = field(default=10.0, metadata={"help": "Seconds to wait for data"})
    request_deadline: float = field(
        default=20.0,
        metadata={"help": "Seconds one answer may take in all (catches slow-drip answers)"},
    )
    retries: int = field(default=2, metadata={"help": "Retries on connection errors, 429, 5xx"})
    backoff: float = field(default=0.2, metadata={"help": "Retry backoff factor in seconds"})
    village_deadline: float = field(
        default=30.0, metadata={"help": "Give up on a village after this many seconds"}
    )
    tahun: int = field(default=0, metadata={"help": "Year asked of villages; 0 = current"})
    simulator_port: int = field(default=8700, metadata={"help": "Port of the built-in simulator"})
    host: str = field(default="127.0.0.1", metadata={"help": "Dashboard host"})
    port: int = field(default=8050, metadata={"help": "Dashboard port"})
    language: str = field(default="id", metadata={"help": "Default UI language: id or en"})
    timezone: str = field(
        default="Asia/Jakarta", metadata={"help": "Time zone of schedules and shown times (WIB)"}
    )
    schedule_penduduk: str = field(
        default="0 1 * * *",
        metadata={"help": "Cron (5 fields, WIB) of the population sweep: nightly at 01:00"},
    )
    schedule_keuangan: str = field(
        default="0 2 * * 0",
        metadata={"help": "Cron of the APBDes, pembangunan and bantuan sweep: Sundays 02:00"},
    )
    schedule_jitter: int = field(
        default=900, metadata={"help": "Random delay (s) added to each scheduled sweep"}
    )
    misfire_grace: int = field(
        default=3600, metadata={"help": "A sweep missed by less than this (s) still runs"}
    )
    request_poll: float = field(
        default=5.0, metadata={"help": "Seconds between checks for collect-now requests"}
    )
    broker_url: str = field(
        default="",
        metadata={
            "help": "RabbitMQ URL of the village queue (amqp://user:password@host:5672/vhost); "
            "empty = no queue: `dasbor collect` and the scheduler sweep in-process"
        },
    )
    queue_name: str = field(
        default="dasbor-villages",
        metadata={"help": "Name of the RabbitMQ queue the village pulls are put on"},
    )
    worker_threads: int = field(
        default=16, metadata={"help": "Villages one `dasbor worker` pulls at once"}
    )
    queue_retries: int = field(
        default=5,
        metadata={
            "help": "Times a village's task is tried again after an error escaped it (the "
            "database down, a time limit); then the village is logged as failed in its run"
        },
    )
    queue_timeout: float = field(
        default=3600.0,
        metadata={
            "help": "Seconds `dasbor collect --queue` and the scheduler wait for a queued run; "
            "then the run is marked aborted and its remaining tasks are dropped"
        },
    )
    warm_interval: float = field(
        default=30.0,
        metadata={
            "help": "Seconds between the web process's checks for a new collection run, whose "
            "page views it then computes ahead of visitors; 0 = off"
        },
    )
    rollups: int = field(
        default=1,
        metadata={
            "help": "1 = pages and the API read the rollup stored once per run (issue 12); "
            "0 = they compute every aggregate from the observations (the old path, to compare)"
        },
    )

    # issue 10: accounts, sessions and limits (dashboard/auth.py)
    mode: str = field(
        default="production",
        metadata={
            "help": "production (the dashboard refuses to start without secret_key) or demo "
            "(a random key per process: sessions end when it stops)"
        },
    )
    secret_key: str = field(
        default="",
        metadata={"help": "Key that signs the session cookies; required in production mode"},
    )
    https: int = field(
        default=0, metadata={"help": "1 = the site is served over HTTPS: cookies are Secure"}
    )
    session_idle: float = field(
        default=1800.0,
        metadata={"help": "Seconds without a request after which a signed-in session ends"},
    )
    sign_in_required: int = field(
        default=0, metadata={"help": "1 = every page and the API need a signed-in user"}
    )
    penyakit: str = field(
        default="",
        metadata={
            "help": "Diseases besides OpenDK's 1 Demam Berdarah, 2 Kolera, 3 Malaria, "
            "4 Influensa, as ID=NAME;ID=NAME (e.g. 5=Diare;6=ISPA)"
        },
    )
    ratelimit_storage: str = field(
        default="memory://",
        metadata={"help": "Flask-Limiter storage URI (memory://, redis://host:6379, …)"},
    )
    signin_rate_limit: str = field(
        default="5 per minute",
        metadata={"help": "Sign-in attempts allowed per address (Flask-Limiter notation)"},
    )
    collect_rate_limit: str = field(
        default="10 per minute",
        metadata={"help": "Collect-now requests allowed per signed-in user"},
    )
    # issue 10: uploads bounded before they are parsed (collectors/upload_bounds.py)
    upload_max_mb: float = field(
        default=5.0,
        metadata={"help": "Largest spreadsheet upload or import in MB (the request body too)"},
    )
    upload_max_rows: int = field(
        default=100_000, metadata={"help": "Most rows a spreadsheet upload or import may have"}
    )
    upload_max_cells: int = field(
        default=2_000_000, metadata={"help": "Most cells a spreadsheet upload or import may have"}
    )

    # issue 13: alerts that find the operator (notify/, aggregates/alerts.py)
    public_base_url: str = field(
        default="http://127.0.0.1:8050",
        metadata={"help": "The dashboard's public address, for the links in alerts"},
    )
    alert_stale_days: int = field(
        default=7,
        metadata={"help": "Alert when a village has no successful collection for N days; 0 = off"},
    )
    alert_failing_runs: int = field(
        default=3,
        metadata={"help": "Alert when a village fails M collection runs in a row; 0 = off"},
    )
    alert_token_refused: int = field(
        default=1, metadata={"help": "1 = alert when a village's token is refused (HTTP 401)"}
    )
    alert_outliers: int = field(
        default=1,
        metadata={"help": "1 = alert on a value past the outlier rule of the Pemantauan page"},
    )
    alert_deadline_days: int = field(
        default=10,
        metadata={
            "help": "Alert when a monthly or semester spreadsheet dataset in use has no data for "
            "a village N days after the period ended; 0 = off"
        },
    )
    alert_digest: str = field(
        default="0 7 * * 1",
        metadata={"help": "Cron (5 fields, WIB) of the weekly digest per kecamatan; empty = off"},
    )
    alert_email_admins: str = field(
        default="",
        metadata={"help": "E-mail addresses of the admins, comma-separated (addr:en = English)"},
    )
    alert_email_kecamatan: str = field(
        default="",
        metadata={
            "help": "E-mail addresses of each kecamatan's operators: "
            "'17.03.06=a@x.id,b@y.id; 17.03.07=c@z.id'"
        },
    )
    alert_telegram_admins: str = field(
        default="", metadata={"help": "Telegram chat ids of the admins, comma-separated"}
    )
    alert_telegram_kecamatan: str = field(
        default="",
        metadata={"help": "Telegram chat ids per kecamatan: '17.03.06=12345,-100678; 17.03.07=9'"},
    )
    smtp_host: str = field(
        default="", metadata={"help": "SMTP server of alert e-mail; empty = off"}
    )
    smtp_port: int = field(default=587, metadata={"help": "SMTP port (587 STARTTLS, 465 SSL)"})
    smtp_user: str = field(default="", metadata={"help": "SMTP user name; empty = no login"})
    smtp_password: str = field(default="", metadata={"help": "SMTP password"})
    smtp_from: str = field(
        default="dasbor@localhost", metadata={"help": "Sender address of alert e-mail"}
    )
    smtp_tls: str = field(
        default="starttls", metadata={"help": "SMTP encryption: starttls, ssl or none"}
    )
    telegram_bot_token: str = field(
        default="", metadata={"help": "Telegram bot token of alert messages; empty = off"}
    )
    telegram_api_url: str = field(
        default="https://api.telegram.org", metadata={"help": "Base URL of the Telegram bot API"}
    )
    alert_timeout: float = field(
        default=10.0, metadata={"help": "Seconds one alert send (SMTP or Telegram) may take"}
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = Path(self.var_dir)
        if not path.is_absolute():
            path = Path.cwd() / path
        return f"sqlite:///{path / 'dasbor.db'}"


def setting_help() -> dict[str, str]:
    return {f.name: f.metadata.get("help", "") for f in fields(Settings)}


def _coerce(name: str, raw: object, target: type | str) -> object:
    kind = target if isinstance(target, str) else target.__name__
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name!r}: expected {kind}, got {raw!r}") from None


def load_settings(toml_path: str | Path | None = None, env: dict | None = None) -> Settings:
    """Build settings from defaults, then the TOML file, then DASBOR_* variables."""
    env = os.environ if env is None else env
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, object] = {}
    toml_path = toml_path or env.get("DASBOR_CONFIG")
    if toml_path is None and Path("dasbor.toml").exists():
        toml_path = "dasbor.toml"
    if toml_path:
        path = Path(toml_path)
        if not path.exists():
            raise SettingsError(f"settings file {path} does not exist")
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for key, raw in data.items():
            if key not in known:
                raise SettingsError(
                    f"unknown setting {key!r} in {path}; known: {', '.join(sorted(known))}"
                )
            values[key] = _coerce(key, raw, known[key].type)
    for key, raw in env.items():
        if not key.startswith("DASBOR_") or key in ("DASBOR_CONFIG",) or "TEST" in key:
            continue
        name = key[len("DASBOR_") :].lower()
        if name not in known:
            raise SettingsError(
                f"unknown environment variable {key}; known: "
                + ", ".join("DASBOR_" + k.upper() for k in sorted(known))
            )
        values[name] = _coerce(name, raw, known[name].type)
    settings = replace(Settings(), **values)
    if settings.language not in ("id", "en"):
        raise SettingsError(f"setting 'language' must be 'id' or 'en', got {settings.language!r}")
    if settings.mode not in ("production", "demo"):
        raise SettingsError(f"setting 'mode' must be 'production' or 'demo', got {settings.mode!r}")
    from config.penyakit import PenyakitSettingError, parse_setting

    try:
        parse_setting(settings.penyakit)
    except PenyakitSettingError as exc:
        raise SettingsError(str(exc)) from None
    if settings.smtp_tls not in ("starttls", "ssl", "none"):
        raise SettingsError(
            f"setting 'smtp_tls' must be 'starttls', 'ssl' or 'none', got {settings.smtp_tls!r}"
        )
    return settings
