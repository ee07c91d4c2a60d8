"""How `check --ray` sizes its actor pool on a cluster it may share: from the CPUs free as
the job starts, never fewer than one actor."""

from __future__ import annotations

from sentiment_ls.check.on_ray import pool_bounds


def test_the_pool_grows_to_the_free_cpus_and_starts_with_one() -> None:
    assert pool_bounds(0.0) == (1, 1)  # never none: the job waits for a CPU, then runs
    assert pool_bounds(1.5) == (1, 1)  # an actor takes a whole CPU
    assert pool_bounds(2.0) == (1, 2)
    assert pool_bounds(63.5) == (1, 63)
