"""One local Spark session for the engine tests, or a skip that says why there is none."""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest


@lru_cache(maxsize=1)
def _session() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("lockstep-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "lockstep-spark-warehouse"))
        .getOrCreate()
    )


def spark_or_skip() -> Any:
    """The shared local[2] session; skips when pyspark or Java is missing."""
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'lockstep[spark]')")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("no Java runtime (Spark needs Java 17+)")
    session = _session()
    session.sparkContext.setLogLevel("ERROR")
    return session
