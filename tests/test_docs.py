"""Docs stay true: the data model names every column, the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from lockstep.cli import cli
from lockstep.store.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_documents_every_column() -> None:
    doc = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    missing = [f"{t}.{c}" for t, cols in TABLES.items() for c, _ in cols if f"`{c}`" not in doc]
    assert missing == []


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"^\s*(?:\$ )?lockstep ([a-z-]+)", readme, flags=re.M))
    assert used, "README shows no lockstep command"
    assert used <= set(cli.commands), used - set(cli.commands)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "\nmake test\n" in ci


def test_cli_reference_is_current() -> None:
    from lockstep.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "regenerate with: COLUMNS=100 python -m lockstep.cli.reference > docs/cli.md"
    )
