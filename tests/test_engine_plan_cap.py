"""Spark plan descriptions are capped while Lockstep runs on a session, and the session's own value comes back.

Without the cap, the description of a deep seam plan filled the driver's heap inside Spark's ``serve-Arrow``
thread and ``toArrow`` waited forever (see ``docs/scale.md``, "Plan descriptions are capped").
"""

from __future__ import annotations

import pytest

from lockstep.engine.backends import _PLAN_STRING_KEY, PLAN_STRING_CAP, _bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2147483632b", 2147483632), ("2147483632", 2147483632), ("64k", 65536), ("1G", 1024**3), ("lots", None)],
)
def test_spark_byte_sizes_are_read(value: str, expected: int | None) -> None:
    assert _bytes(value) == expected


def test_a_passed_session_is_capped_during_the_run_and_restored() -> None:
    pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")
    from lockstep.engine.backends import spark_backend
    from tests.spark_session import spark_or_skip

    session = spark_or_skip()
    for before, during in (("2147483632b", str(PLAN_STRING_CAP)), ("5000", "5000")):
        session.conf.set(_PLAN_STRING_KEY, before)
        with spark_backend(session=session):
            assert session.conf.get(_PLAN_STRING_KEY) == during
        assert session.conf.get(_PLAN_STRING_KEY) == before
    session.conf.unset(_PLAN_STRING_KEY)
