"""The garbage collector runs less often while the model runs, and is restored after."""

from __future__ import annotations

import gc

import pytest

from hfsim.collector import GC_YOUNG_THRESHOLD, fewer_collections
from hfsim.model import HousingModel


def test_the_threshold_is_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(GC_YOUNG_THRESHOLD, before[0])
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError
    assert gc.get_threshold() == before


def test_the_model_runs_with_fewer_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    model = HousingModel(municipality="small_town", years=1, warmup_years=0)
    seen = []
    start_week = model.ledger.start_week

    def spy(now: float) -> None:  # every step starts the ledger's week
        seen.append(gc.get_threshold()[0])
        start_week(now)

    monkeypatch.setattr(model.ledger, "start_week", spy)
    before = gc.get_threshold()
    model.run_for(2)
    assert seen == [max(GC_YOUNG_THRESHOLD, before[0])] * 2
    assert gc.get_threshold() == before
