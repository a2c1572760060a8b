"""The layers hold (issue 9): import-linter's contracts in pyproject.toml are kept, and they do
fail when a lower layer imports a higher one, a page imports a page, or imports go in a circle
(a copy of the code with one such import added is checked with the same contracts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "warehouse", "collectors", "simulator", "aggregates", "i18n", "layouts",
            "dashboard")  # fmt: skip
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` over the packages under `root`, with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The Python files of every package, to add one wrong import to."""
    root = tmp_path_factory.mktemp("code")
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            target = root / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


# (file, the import added, the contract that must break)
WRONG = [
    ("layouts/figures.py", "import dashboard.app", "Each layer imports only the layers below"),
    ("i18n/format.py", "import layouts.tables", "Each layer imports only the layers below"),
    ("config/regions.py", "import i18n.catalogue", "Each layer imports only the layers below"),
    ("layouts/tables.py", "import aggregates.tables", "never read the warehouse"),
    ("aggregates/finance.py", "import i18n.format", "Aggregates are data"),
    ("dashboard/api.py", "import dashboard.app", "The app shell sits on the API"),
    ("dashboard/pages/bantuan.py", "import dashboard.pages.keuangan", "imports no other page"),
    ("dashboard/regions.py", "import dashboard.filter_bar", "No import circles"),
]


@pytest.mark.parametrize(("path", "line", "contract"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_import_breaks_its_contract(copy, path, line, contract):
    target = copy / path
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{line}  # added by the test\n", encoding="utf-8")
    try:
        result = lint(copy)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0, result.stdout[-2000:]
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in b for b in broken), result.stdout[-3000:]
