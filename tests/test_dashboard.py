"""The teaching dashboard without a browser: settings, lockstep, dwelling map, views, page, CLI.

The browser test (test_app_browser.py) drives the served page end to end; these tests check
the pieces behind it, fast, and the ``hfsim app`` command's refusals of bad input.
"""

from __future__ import annotations

import re
import socket
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from hfsim.cli import main
from hfsim.config import ConfigError, load_config
from hfsim.dashboard.dwellings import (
    BROKE_DOWN,
    HOUSING_FIRST,
    OFFERED,
    ORDINARY,
    SHELTER_FIRST,
    VULNERABLE,
    DwellingMap,
)
from hfsim.dashboard.lockstep import MUNICIPALITIES, Levers, Lockstep, Settings
from hfsim.dashboard.views import VIEW_NAMES, Views, monthly, nice_ceiling, summary
from hfsim.results import BREAKDOWN_CAUSES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TWO_YEARS = {"years": 2}


@pytest.fixture(scope="module")
def run_two_years() -> Lockstep:
    """Housing First and shelter-first in the small town, two years, stepped to the end."""
    lockstep = Lockstep(Settings.from_overrides(TWO_YEARS))
    lockstep.step(200)
    return lockstep


# -- settings --------------------------------------------------------------------------------
def test_default_settings_are_the_small_town_side_by_side():
    settings = Settings.from_overrides()
    preset = load_config({"municipality": "small_town"})
    assert settings.municipality == "small_town"
    assert settings.policies == ("housing_first", "shelter_first")
    assert settings.levers == Levers.from_config(preset)
    assert dict(settings.fixed) == {"years": 10, "warmup_years": 0}


def test_settings_follow_the_command_line():
    settings = Settings.from_overrides(
        {"policy": "shelter_first", "seed": 3, "shelter.capacity": 33, "tenancy.late_factor": 0.5}
    )
    assert settings.policies == ("shelter_first", "housing_first")
    assert (settings.seed, settings.levers.shelter_capacity) == (3, 33)
    assert dict(settings.fixed)["tenancy.late_factor"] == 0.5  # no control: fixed for all runs
    cfg = load_config(settings.overrides("housing_first"))
    assert (cfg.tenancy.late_factor, cfg.shelter.capacity, cfg.seed) == (0.5, 33, 3)


def test_every_dashboard_municipality_is_one_municipality():
    for name in MUNICIPALITIES:
        settings = Settings.from_overrides({"municipality": name})
        assert settings.levers == Levers.from_config(load_config({"municipality": name}))
    with pytest.raises(ConfigError, match="allowed: small_town"):
        Settings.from_overrides({"municipality": "denmark"})


def test_changing_municipality_takes_its_preset_levers():
    settings = Settings.from_overrides().replace(shelter_capacity=3, seed=9)
    moved = settings.with_municipality("aarhus")
    assert moved.levers == Levers.from_config(load_config({"municipality": "aarhus"}))
    assert moved.seed == 9


def test_one_policy_only():
    settings = Settings.from_overrides().replace(compare_with="")
    assert settings.policies == ("housing_first",)
    assert list(Lockstep(settings).models) == ["housing_first"]


# -- lockstep --------------------------------------------------------------------------------
def test_lockstep_runs_both_policies_on_the_same_people(run_two_years):
    hf, sf = run_two_years.models.values()
    assert run_two_years.week == run_two_years.total_weeks == 104 and run_two_years.done
    assert hf.steps == sf.steps == 104
    assert run_two_years.step(4) == 104  # nothing past the horizon
    # common random numbers: the same inflow, the policies differ in what happens next
    assert np.array_equal(hf.recorder.flows["inflow"], sf.recorder.flows["inflow"])
    assert hf.recorder.flows["placements"].sum() != sf.recorder.flows["placements"].sum()


def test_levers_reach_the_models():
    settings = Settings.from_overrides(TWO_YEARS).replace(
        anvisning_share=0.0, cheap_units=0, shelter_capacity=7, act_staff=5, regime="pre_2023"
    )
    for model in Lockstep(settings).models.values():
        cfg = model.cfg
        assert cfg.housing.anvisning_share == 0.0 and cfg.housing.cheap_units == 0
        assert cfg.shelter.capacity == 7 and cfg.support.act.staff == 5
        assert cfg.regime.name == "pre_2023"


# -- the dwelling map ------------------------------------------------------------------------
def _expected_cells(model) -> dict[int, int]:
    ongoing = [t for t in model.tenancy_log if t.how_ended == "ongoing"]
    recent = [
        t for t in model.tenancy_log if t.how_ended in BREAKDOWN_CAUSES and model.now - t.end < 4.0
    ]
    return {
        HOUSING_FIRST: sum(t.citizen.track == "hf" for t in ongoing),
        SHELTER_FIRST: sum(t.citizen.track == "sf" for t in ongoing),
        OFFERED: len(model.municipalities[0].offers),
        BROKE_DOWN: len(recent),
    }


def test_dwelling_map_matches_the_model_every_week():
    lockstep = Lockstep(Settings.from_overrides(TWO_YEARS))
    seen_codes = set()
    cells_of: dict[int, tuple[int, int]] = {}
    for _ in range(80):
        lockstep.step(1)
        for model, dmap in zip(lockstep.models.values(), lockstep.dwellings.values(), strict=True):
            assert not any(dmap.overflow)
            counts = dmap.counts()
            for code, expected in _expected_cells(model).items():
                assert counts[code] == expected, (model.steps, code)
            background = sum(round(n.background_share * n.dwellings) for n in dmap.neighbourhoods)
            assert counts[VULNERABLE] == background
            assert sum(counts.values()) == sum(n.dwellings for n in dmap.neighbourhoods)
            seen_codes |= {c for c, n in counts.items() if n}
        # a let unit keeps its cell from week to week
        dmap = lockstep.dwellings["housing_first"]
        for unit_id, place in dmap._slot.items():
            assert cells_of.setdefault(unit_id, place) == place
    assert {ORDINARY, VULNERABLE, HOUSING_FIRST, SHELTER_FIRST, OFFERED} <= seen_codes


def test_dwelling_map_layout_is_shared_by_the_policies():
    lockstep = Lockstep(Settings.from_overrides(TWO_YEARS))
    hf, sf = lockstep.dwellings.values()
    for i in range(len(hf.neighbourhoods)):
        assert np.array_equal(hf.base[i], sf.base[i])
    other_seed = DwellingMap(
        Lockstep(Settings.from_overrides({**TWO_YEARS, "seed": 1})).models["housing_first"]
    )
    assert not all(np.array_equal(a, b) for a, b in zip(hf.base, other_seed.base, strict=True))


# -- views -----------------------------------------------------------------------------------
def test_every_view_draws_a_png_that_changes_with_a_step():
    lockstep = Lockstep(Settings.from_overrides(TWO_YEARS))
    views = Views(lockstep)
    lockstep.step(20)
    before = {name: views.render(name) for name in VIEW_NAMES}
    lockstep.step(4)
    cpu = time.process_time()
    after = {name: views.render(name) for name in VIEW_NAMES}
    cpu_s = time.process_time() - cpu
    for name in VIEW_NAMES:
        assert after[name].png.startswith(PNG_MAGIC) and len(after[name].png) > 2000
        assert after[name].png != before[name].png, name
        assert after[name].week == 24
    # budget: all six views of one step in well under a second of CPU (about 0.2 s here)
    assert cpu_s < 1.0, f"views took {cpu_s:.2f} s of CPU"


def test_views_work_for_one_policy_and_a_large_municipality():
    lockstep = Lockstep(Settings.from_overrides({"municipality": "aarhus", "years": 1}))
    lockstep.step(8)
    one = Lockstep(Settings.from_overrides(TWO_YEARS).replace(compare_with=""))
    one.step(8)
    for ls in (lockstep, one):
        views = Views(ls)
        assert all(views.render(name).png.startswith(PNG_MAGIC) for name in VIEW_NAMES)


def test_summary_numbers_come_from_the_models(run_two_years):
    rows = summary(run_two_years)
    assert [r["policy"] for r in rows] == ["Housing First", "Shelter-first"]
    for row, model in zip(rows, run_two_years.models.values(), strict=True):
        pop = model.population
        homeless = pop["rough_sleeping"] + pop["sofa_surfing"] + pop["shelter"]
        assert int(row["homeless now"]) == homeless + pop["transitional"]
        assert int(row["moved in so far"]) == len(model.tenancy_log)
        assert float(row["cost per year (mio DKK)"]) > 0


def test_monthly_sums_and_nice_axis_limits():
    edges, sums = monthly(np.ones(104))
    assert sums.sum() == 104 and len(edges) == len(sums) + 1 == 25
    assert [nice_ceiling(v) for v in (0.3, 1, 1.2, 7, 9, 41)] == pytest.approx(
        [0.3, 1, 1.5, 8, 10, 50]
    )


# -- the page (rendered without a browser) -----------------------------------------------------
def test_page_steps_and_refuses_a_bad_seed(request):
    solara = pytest.importorskip("solara")
    import ipyvuetify as v

    from hfsim.dashboard import page

    page.configure(TWO_YEARS)
    _, rc = solara.render(page.Page(), handle_error=False)
    request.addfinalizer(page.configure)  # later sessions start from the defaults again

    def week_text() -> str:
        return rc.find(v.Html, class_="hf-week").widget.children[0]

    def until(condition, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, "the page did not update"
            time.sleep(0.02)

    assert week_text().startswith("Week 0 of 104")
    rc.find(v.Btn, children=["Step"]).widget.click()
    until(lambda: week_text().startswith("Week 4 "))
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "-1"
    seed.fire_event("focusout")
    until(lambda: len(rc.find(v.Alert)) == 1)
    assert "seed=-1" in str(rc.find(v.Alert).widget.children)
    assert week_text().startswith("Week 4 ")  # the run on screen was kept
    rc.close()


# -- the command -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("app.port=0", "app.port"),
        ("app.port=70000", "app.port"),
        ("app.host=0.0.0.0", "app.host"),
        ("municipality=denmark", "allowed: small_town"),
    ],
)
def test_app_refuses_bad_input(override, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["app", override, f"hydra.run.dir={out}"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_app_refuses_a_port_in_use(tmp_path, capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = tmp_path / "out"
        assert main(["app", f"app.port={port}", f"hydra.run.dir={out}"]) == 2
    err = capsys.readouterr().err
    assert f"app.port={port}" in err and "free port" in err
    assert not out.exists()


# -- what docs/teaching.md tells students they will see ------------------------------------------
TEACHING = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"


def _third_year(**changes) -> dict[str, dict[str, float]]:
    """Small town, three years, seeds 0-2: per policy, the means over seeds of what the lesson
    quotes: the homeless count in year 3, the placements over three years, the share of
    tenancies kept 12 months, the share of offers that lapsed and the state's share of the
    cost."""
    from hfsim.dashboard.views import annual_costs
    from hfsim.results import kaplan_meier

    out: dict[str, list[tuple[float, ...]]] = {}
    for seed in range(3):
        lockstep = Lockstep(Settings.from_overrides({"years": 3, "seed": seed}).replace(**changes))
        lockstep.step(156)
        for policy, model in lockstep.models.items():
            homeless = model.recorder.counts[-52:, 0, :4].sum(axis=1).mean()
            log = model.tenancy_log
            durations = np.array(
                [(156 if t.how_ended == "ongoing" else t.end) - t.start for t in log]
            )
            broke = np.array([t.how_ended in BREAKDOWN_CAUSES for t in log], dtype=int)
            kept = kaplan_meier(durations, broke, 52.0) if log else np.nan
            flows = model.recorder.flows
            offers = flows["offers"][1:157].sum()
            lapsed = flows["lapsed"][1:157].sum() / offers if offers else np.nan
            cost = annual_costs(model).sum(axis=0)
            out.setdefault(policy, []).append(
                (homeless, len(log), kept, lapsed, cost[1] / cost.sum())
            )
    keys = ("homeless", "placements", "kept_12m", "lapsed", "state_share")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no tenancies at all: kept is NaN
        return {
            p: dict(zip(keys, np.nanmean(rows, axis=0), strict=True)) for p, rows in out.items()
        }


def _quoted(pattern: str) -> list[float]:
    """The figures one sentence of docs/teaching.md quotes; the sentence must be there."""
    text = " ".join(TEACHING.read_text(encoding="utf-8").split())
    found = re.search(pattern, text)
    assert found, f"docs/teaching.md no longer says {pattern!r}: update the test with the text"
    return [float(g) for g in found.groups()]


@pytest.fixture(scope="module")
def lesson() -> dict[str, dict[str, dict[str, float]]]:
    """The runs the lesson's segments 2-6 describe, each once for the module."""
    default = _third_year()  # the dashboard opens under the 2023 rules
    return {
        "default": default,
        "no dwellings": _third_year(anvisning_share=0.0, cheap_units=0),
        "anvisningsret 50 %": _third_year(anvisning_share=0.5),
        "fixed staff, none": _third_year(staffing="fixed", cti_staff=0, icm_staff=0, act_staff=0),
        "reform": default,
        "before 2023": _third_year(regime="pre_2023"),
    }


@pytest.mark.slow
def test_the_lessons_claims_hold_in_the_small_town(lesson):
    hf, sf = lesson["default"]["housing_first"], lesson["default"]["shelter_first"]
    # segment 2: fewer homeless. Over 20 seeds the gap is 31.3 against 35.8 (-4.5, standard
    # error 0.55, Housing First lower in 19 of 20); seeds 0-2 give 29.1 against 34.0.
    assert hf["homeless"] < 0.95 * sf["homeless"]
    # ... because more move in: the dwellings bind in the small town, and shelter residents
    # judged ready wait in the shelter for the same dwellings (measured 37 against 33)
    assert hf["placements"] > 1.1 * sf["placements"]
    assert hf["lapsed"] < 0.5 * sf["lapsed"]  # offers lapse waiting for someone "ready"
    assert hf["kept_12m"] > sf["kept_12m"]  # segment 3: tenancies with support last longer
    # segment 4: with no dwellings offered, Housing First helps little
    hf0, sf0 = lesson["no dwellings"]["housing_first"], lesson["no dwellings"]["shelter_first"]
    assert abs(hf0["homeless"] - sf0["homeless"]) < 0.05 * sf0["homeless"]
    assert hf0["placements"] < 0.1 * hf["placements"]
    # ... and more dwellings widen Housing First's lead
    more = lesson["anvisningsret 50 %"]
    gap = sf["homeless"] - hf["homeless"]
    more_gap = more["shelter_first"]["homeless"] - more["housing_first"]["homeless"]
    assert more_gap > 1.5 * gap
    # segment 5: with fixed staff and none of it, Housing First placements wait for ever
    unsupported = lesson["fixed staff, none"]
    assert unsupported["housing_first"]["placements"] == 0
    assert unsupported["shelter_first"]["placements"] == sf["placements"]
    # segment 6: the reform cuts the state's share under both policies
    for policy in ("housing_first", "shelter_first"):
        assert (
            lesson["reform"][policy]["state_share"] < lesson["before 2023"][policy]["state_share"]
        )


@pytest.mark.slow
def test_the_lessons_figures_are_the_ones_the_small_town_gives(lesson):
    """Every figure docs/teaching.md quotes for the small town is within rounding of a fresh
    run, so a recalibration that moves them fails here until the text is updated."""
    hf, sf = lesson["default"]["housing_first"], lesson["default"]["shelter_first"]
    quoted = _quoted(
        r"about (\d+) people were homeless under Housing First against (\d+) under "
        r"shelter-first, with (\d+) against (\d+) moves into a dwelling"
    )
    measured = [hf["homeless"], sf["homeless"], hf["placements"], sf["placements"]]
    assert quoted == pytest.approx(measured, abs=1.0)
    quoted = _quoted(r"about (\d+) % of offers lapsed under shelter-first, against (\d+) %")
    assert quoted == pytest.approx([100 * sf["lapsed"], 100 * hf["lapsed"]], abs=1.5)
    quoted = _quoted(r"about (0\.\d+) kept after 12 months, against about (0\.\d+)")
    assert quoted == pytest.approx([hf["kept_12m"], sf["kept_12m"]], abs=0.015)
    none = lesson["no dwellings"]
    (quoted,) = _quoted(r"About (\d+) people are homeless under both policies")
    for policy in ("housing_first", "shelter_first"):
        assert quoted == pytest.approx(none[policy]["homeless"], abs=1.5)
    more = lesson["anvisningsret 50 %"]
    quoted = _quoted(r"about (\d+) homeless in year 3 in our runs, against about (\d+)")
    measured = [more["housing_first"]["homeless"], more["shelter_first"]["homeless"]]
    assert quoted == pytest.approx(measured, abs=1.0)
    quoted = _quoted(
        r"about (\d+) % of the cost under Housing First and (\d+) % under shelter-first\. "
        r"Since 2023 it refunds half of at most 120 days a year, plus half of Housing First "
        r"support: about (\d+) % and (\d+) %"
    )
    old, new = lesson["before 2023"], lesson["reform"]
    measured = [
        100 * old["housing_first"]["state_share"],
        100 * old["shelter_first"]["state_share"],
        100 * new["housing_first"]["state_share"],
        100 * new["shelter_first"]["state_share"],
    ]
    assert quoted == pytest.approx(measured, abs=1.5)
