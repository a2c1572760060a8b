"""A picture of an alert e-mail for the README: docs/alert-email.png.

The village simulator serves four villages of Kerkap; two are made to fail (HTTP 500, and a
refused token) for two sweeps into a temporary SQLite warehouse; the alert check sends through
a local SMTP server (aiosmtpd, the test extra); the message the operator of Kerkap received is
shown as a mail client would (sender, recipient, subject above its HTML part) and photographed
in headless Chromium.

    .venv/bin/python scripts/alert_email_screenshot.py [--out docs/alert-email.png]
"""

from __future__ import annotations

import argparse
import html
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from collectors.sweep import run_sweep  # noqa: E402
from config.registry import load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from notify.dispatch import check  # noqa: E402
from simulator.villages import Simulator  # noqa: E402
from tests.alert_servers import SmtpServer  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OPERATOR = "operator.kerkap@bengkulu-utara.go.id"


def frame(mail) -> str:
    """The message as a mail client shows it: its headers, then its HTML part."""
    head = "".join(
        f"<tr><th>{name}</th><td>{html.escape(str(mail[name]))}</td></tr>"
        for name in ("From", "To", "Subject", "Date")
    )
    body = mail.get_body(("html",)).get_content()
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "body{margin:0;background:#eef1f4;font-family:Arial,Helvetica,sans-serif}"
        ".mail{margin:24px;background:#fff;border:1px solid #ccd3da;border-radius:6px}"
        "table{border-collapse:collapse;width:100%;background:#f7f9fb;font-size:13px}"
        "th{text-align:left;color:#66788a;padding:4px 12px;width:80px}td{padding:4px 12px}"
        ".body{padding:16px 20px}</style></head><body><div class='mail'>"
        f"<table>{head}</table><div class='body'>{body}</div></div></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "alert-email.png"))
    args = parser.parse_args()
    villages = [v for v in load_registry(DEFAULT_REGISTRY) if v.kode_kecamatan == "17.03.06"][:4]
    sim = Simulator(villages, port=0, seed=7)
    sim.start()
    smtp = SmtpServer().start()
    try:
        villages = [replace(v, base_url=f"{sim.url}/{v.kode_digits}") for v in villages]
        with tempfile.TemporaryDirectory() as tmp:
            store = Warehouse(f"sqlite:///{tmp}/wh.db")
            store.upgrade()
            settings = Settings(
                concurrency=4, read_timeout=2, retries=0, backoff=0.01, tahun=2026,
                alert_failing_runs=2, smtp_host="127.0.0.1", smtp_port=smtp.port,
                smtp_tls="none", smtp_from="dasbor@bengkulu-utara.go.id",
                alert_email_kecamatan=f"17.03.06={OPERATOR}",
                public_base_url="https://dasbor.bengkulu-utara.go.id",
            )  # fmt: skip
            sim.set_fault(villages[0].kode_digits, "500")
            sim.set_fault(villages[1].kode_digits, "401")
            for _ in range(2):
                run_sweep(villages, store, settings)
            check(store, settings)
            store.engine.dispose()
            (mail,) = smtp.to(OPERATOR)
            page = Path(tmp) / "mail.html"
            page.write_text(frame(mail), encoding="utf-8")
            subprocess.run(
                [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                 "--hide-scrollbars", "--window-size=730,520", f"--screenshot={args.out}",
                 page.as_uri()],
                check=True, capture_output=True,
            )  # fmt: skip
    finally:
        smtp.stop()
        sim.stop()
    print(args.out)


if __name__ == "__main__":
    main()
