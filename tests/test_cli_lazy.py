"""The CLI's lazy command table: every listed command loads, under its own name, only when looked up."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from lockstep.cli import COMMAND_MODULES, LazyCommands, cli


def test_every_listed_command_loads_under_its_name() -> None:
    for name in COMMAND_MODULES:
        command = cli.commands[name]
        assert isinstance(command, click.Command)
        assert command.name == name


def test_lazy_table_behaves_as_a_mapping() -> None:
    table = LazyCommands({"info": "lockstep.cli.store_commands"})
    assert list(table) == ["info"] and len(table) == 1
    extra = click.Command("extra")
    table["extra"] = extra
    assert table["extra"] is extra and sorted(table) == ["extra", "info"]
    del table["info"]
    assert list(table) == ["extra"]
    with pytest.raises(KeyError):
        table["missing"]


def test_version_does_not_import_the_engine() -> None:
    code = (
        "import sys; from lockstep.cli import cli\n"
        "try:\n    cli(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'pyarrow', 'igraph', 'stix2', 'networkx') if m in sys.modules]\n"
        "print('heavy=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["lockstep, version 0.1.0", "heavy="]


def test_detect_loads_neither_the_readers_nor_the_analysis() -> None:
    """``lockstep detect`` needs the store and the traces; the readers, signals and campaigns are other commands'."""
    code = (
        "import sys; from lockstep.cli import cli\n"
        "try:\n    cli(['detect', '--help'])\nexcept SystemExit:\n    pass\n"
        "extra = sorted({m.split('.')[1] for m in sys.modules if m.startswith('lockstep.')}\n"
        "               & {'readers', 'ingestion', 'signals', 'campaigns', 'network', 'reporting', 'exporting'})\n"
        "print('extra=' + ','.join(extra))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "extra="
