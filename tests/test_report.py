"""The report: figures embedded, self-contained HTML, Danish throughout, numbers that agree."""

from __future__ import annotations

import base64
import dataclasses
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfsim.compare import compare
from hfsim.config import load_config
from hfsim.config.schema import ReportConfig
from hfsim.report import ReportInput, figures, i18n, limits, render_report
from hfsim.report.html import config_overrides, finding_sentence, parameters
from hfsim.report.stats import kaplan_meier_curve
from hfsim.results import KPI_NAMES, kaplan_meier

SMALL = ["municipality=small_town", "years=2", "warmup_years=1", "replications=3",
         "output.workers=1"]  # fmt: skip
DANISH_HEADINGS = ("Hovedresultater", "Scenarier", "Resultater", "Figurer", "Forudsætninger",
                   "Sådan genskabes resultaterne")  # fmt: skip
ENGLISH_HEADINGS = ("Main findings", "Scenarios", "Results", "Figures", "Assumptions",
                    "How to reproduce")  # fmt: skip


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """A small comparison (English) whose data the Danish report is rendered from again."""
    return compare(tmp_path_factory.mktemp("report") / "en", SMALL)


@pytest.fixture(scope="module")
def danish(comparison, tmp_path_factory, monkeypatch_module):
    """The same comparison rendered with report.language=da; every figure text collected."""
    texts: list[str] = []
    save = figures._save

    def collecting_save(fig, path, rect=(0, 0, 1, 1)):
        for ax in fig.axes:
            texts.extend([ax.get_title(), ax.get_xlabel(), ax.get_ylabel()])
            legend = ax.get_legend()
            texts.extend(t.get_text() for t in (legend.get_texts() if legend else []))
        for legend in fig.legends:
            texts.extend(t.get_text() for t in legend.get_texts())
        texts.extend(t.get_text() for t in fig.texts)
        return save(fig, path, rect)

    monkeypatch_module.setattr(figures, "_save", collecting_save)
    out = tmp_path_factory.mktemp("report") / "da"
    da = ReportConfig(language="da")
    configs = {k: dataclasses.replace(c, report=da) for k, c in comparison.plan.configs.items()}
    outdir = comparison.outdir
    data = ReportInput(
        command="compare",
        configs=configs,
        kpis=comparison.kpis,
        timeseries=pd.concat(pd.read_parquet(outdir / n / "timeseries.parquet") for n in configs),
        tenancies=pd.concat(pd.read_parquet(outdir / n / "tenancies.parquet") for n in configs),
        seeds=sorted(set(comparison.kpis.seed)),
        version="test",
        overrides=comparison.plan.overrides,
        pairs=comparison.plan.pairs,
        comparison=comparison.comparison,
        reproduce="hfsim compare report.language=da",
    )
    path = render_report(out, data)
    return path.read_text(encoding="utf-8"), [t for t in texts if t]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_the_report_embeds_every_figure(comparison):
    page = (comparison.outdir / "report.html").read_text(encoding="utf-8")
    pngs = sorted((comparison.outdir / "figures").glob("*.png"))
    names = {p.stem for p in pngs}
    assert names == {"differences", "stock_by_state", "tenancy_survival", "days_to_housing",
                     "costs_by_payer", "landlords", "support", "shelter_occupancy"}  # fmt: skip
    for png in pngs:
        assert base64.b64encode(png.read_bytes()).decode("ascii") in page, png.name
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    assert len(sources) == len(pngs)
    assert all(s.startswith("data:image/png;base64,") for s in sources)


def test_the_report_is_self_contained(comparison):
    page = (comparison.outdir / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    for attr in re.findall(r'\s(?:src|href)="([^"]*)"', page):
        assert attr.startswith("data:"), attr
    assert "<script" not in page and "@import" not in page


def test_the_report_states_findings_tables_sources_and_how_to_reproduce(comparison):
    page = (comparison.outdir / "report.html").read_text(encoding="utf-8")
    for heading in ENGLISH_HEADINGS:
        assert f">{heading}<" in page, heading
    assert "The number of homeless people at any one time" in page
    assert "95 % CI" in page
    rows = comparison.comparison.set_index("kpi")
    homeless = rows.loc["homeless_mean"]
    assert i18n.format_kpi("homeless_mean", homeless["mean"], "en") in page
    assert "hfsim compare municipality=small_town years=2 warmup_years=1 replications=3" in page
    assert "<code>housing.anvisning_share</code>" in page and "[C] almenboligloven" in page
    for name in ("kpi_summary.csv", "comparison.csv"):
        assert f'download="{name}"' in page
    summary = pd.read_csv(comparison.outdir / "kpi_summary.csv")
    assert set(summary.kpi) == set(KPI_NAMES) and set(summary.scenario) == {
        "housing_first",
        "shelter_first",
    }


def test_the_danish_report_is_in_danish(danish):
    page, figure_texts = danish
    assert '<html lang="da">' in page
    for heading in DANISH_HEADINGS:
        assert f">{heading}<" in page, heading
    for heading in ENGLISH_HEADINGS:
        assert f">{heading}<" not in page, heading
    for term in ("hjemløse", "§110-boform", "bostøtte", "refusion", "kommune",
                 "trappetrinsmodellen", "95 %-KI", "Sammenligning af scenarier"):  # fmt: skip
        assert term in page, term
    for kpi in KPI_NAMES:
        assert i18n.kpi_label(kpi, "da") in page
    # Danish number format: decimal comma
    assert re.search(r"\d,\d", page)
    # the schema's English words do not leak into the tables (#13.5)
    for english in ("the municipality's policy", ">assumption<", ">calibrated<",
                    "citizens on cash benefit", "What limits"):  # fmt: skip
        assert english not in html.unescape(page), english
    assert ">Hvad begrænser resultatet<" in page


def test_the_danish_figures_have_danish_labels(danish):
    _, texts = danish
    joined = " | ".join(texts)
    for word in ("år efter indsvingningsperioden", "personer", "mio. kr.", "kommune",
                 "gadesovende", "§110-boform", "måneder efter indflytning"):  # fmt: skip
        assert word in joined, word
    english = set(i18n.TEXT["en"].values()) - set(i18n.TEXT["da"].values())
    leaked = [t for t in texts if t in english]
    assert not leaked, leaked


def test_both_languages_have_every_text():
    assert set(i18n.TEXT["en"]) == set(i18n.TEXT["da"])
    # labels for every KPI, also those a newer model adds (limits.RULES reads them)
    assert set(i18n.KPI_TEXT["en"]) == set(i18n.KPI_TEXT["da"]) >= set(KPI_NAMES)
    assert {k for r in limits.RULES for k in r.needs} <= set(i18n.KPI_TEXT["en"])
    assert set(i18n.LEVER_TEXT["en"]) == set(i18n.LEVER_TEXT["da"])


def test_numbers_are_formatted_for_each_language():
    assert i18n.format_number(-1234.5, 1, "da") == "\u22121.234,5"
    assert i18n.format_number(1234.5, 1, "en", signed=True) == "+1,234.5"
    assert i18n.format_number(-0.01, 1, "en") == "0.0"
    assert i18n.format_kpi("retention_12m", 0.8766, "da") == "87,7 %"
    assert i18n.format_kpi("retention_12m", -0.02, "en", diff=True) == "\u22122.0 pp"
    assert i18n.format_kpi("cost_total_dkk_per_year", 123_400_000, "en") == "123 million DKK"


@pytest.mark.parametrize(
    ("low", "high", "english", "danish"),
    [
        (-15.0, -5.0, "is lower under", "er lavere med"),
        (5.0, 15.0, "is higher under", "er højere med"),
        (-5.0, 15.0, "no clear difference", "ingen klar forskel"),
        (float("nan"), float("nan"), "there is no interval", "intet interval"),
    ],
)
def test_finding_sentences_say_what_the_interval_supports(low, high, english, danish):
    row = {"kpi": "homeless_mean", "scenario": "housing_first", "baseline": "shelter_first",
           "mean": 90.0, "baseline_mean": 100.0, "diff_mean": -10.0 if np.isnan(low) else (low + high) / 2,
           "diff_ci_low": low, "diff_ci_high": high}  # fmt: skip
    assert english in finding_sentence(row, "en")
    assert danish in finding_sentence(row, "da")


def test_survival_curve_agrees_with_the_kpi_and_its_band_holds_it():
    rng = np.random.default_rng(3)
    durations = rng.exponential(60.0, 400).round()
    events = (rng.random(400) < 0.6).astype(int)
    curve = kaplan_meier_curve(durations, events)
    for at in (10.0, 52.0, 104.0):
        assert curve[curve.time <= at].survival.iloc[-1] == pytest.approx(
            kaplan_meier(durations, events, at)
        )
    assert (curve.low <= curve.survival + 1e-12).all() and (
        curve.survival <= curve.high + 1e-12
    ).all()
    assert curve.low.min() >= 0 and curve.high.max() <= 1


def test_yearly_costs_in_the_figure_add_up_to_the_cost_kpis(comparison):
    kpis = comparison.kpis.set_index(["scenario", "replication"])
    for name, cfg in comparison.plan.configs.items():
        ts = pd.read_parquet(comparison.outdir / name / "timeseries.parquet")
        costs = figures.yearly_costs(ts, cfg.warmup_years * 52)
        per_rep = costs.groupby(["replication", "payer"])["value"].sum() / cfg.years
        for r in range(cfg.replications):
            assert per_rep[(r, "municipality")] == pytest.approx(
                kpis.loc[(name, r), "cost_municipal_dkk_per_year"], rel=1e-9
            )
            assert per_rep[(r, "state")] == pytest.approx(
                kpis.loc[(name, r), "cost_state_dkk_per_year"], rel=1e-9
            )


def test_days_to_housing_figure_uses_each_wait_when_spell_starts_are_recorded(tmp_path):
    tenancies = pd.DataFrame(
        {
            "scenario": ["a"] * 4 + ["b"] * 4,
            "replication": [0, 0, 1, 1] * 2,
            "start_week": [60.0, 70.0, 65.0, 80.0] * 2,
            "spell_start_week": [50.0, 40.0, 60.0, 52.0, 30.0, 20.0, 25.0, 10.0],
        }
    )
    waits = figures.days_to_housing(tenancies, warmup_weeks=52)
    assert list(waits.days[:2]) == [70.0, 210.0]
    data = figures.FigureData(
        scenarios=["a", "b"], labels={"a": "A", "b": "B"}, timeseries=pd.DataFrame(),
        tenancies=tenancies, kpis=pd.DataFrame({"scenario": ["a", "b"], "replication": [0, 0]}),
        warmup_weeks=52, support_capacity={},
    )  # fmt: skip
    fig = figures.wait_for_housing(data, tmp_path)
    assert fig.caption == i18n.TEXT["en"]["cap_wait"] and fig.path.is_file()


def test_reproduce_overrides_rebuild_the_config():
    cfg = load_config(["experiment=housing_supply", "municipality=small_town",
                       "housing.cheap_units=0", "policy=shelter_first", "scenario=sf"])  # fmt: skip
    assert load_config(config_overrides(cfg)) == cfg


def test_every_numeric_parameter_in_the_table_has_a_source():
    params = [p for p in parameters(load_config()) if p.numeric]
    assert len(params) > 50
    assert all(p.source for p in params)


@pytest.mark.browser
def test_chromium_loads_the_report_without_console_errors(comparison):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
    messages, failed = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        page = browser.new_page()
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto((comparison.outdir / "report.html").as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        title = page.title()
        browser.close()
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages
    assert not failed, failed
    assert len(images) == 8 and all(done and width > 0 for done, width in images)
    assert title.startswith("Scenario comparison")


def test_the_danish_parameter_appendix_has_danish_words_for_every_parameter():
    from hfsim.report.html import _describe, _show, describe_overrides, source_text
    from hfsim.report.parameters_da import PARAMETER_DA

    params = parameters(load_config())
    missing = [p.key for p in params if p.key not in PARAMETER_DA]
    assert not missing, missing
    assert all(_describe(p, "da") != p.doc or p.doc == "" for p in params if p.doc)
    assert _show("housing_first", "da", "policy.name") == "Housing First"
    assert _show("shelter_first", "da", "policy.name") == "trappetrinsmodellen"
    assert _show("wait", "da", "policy.support_shortage") == "vent som hjemløs"
    assert source_text("assumption; 71 % on cash benefit", "da").startswith("antagelse;")
    assert source_text("calibrated", "da") == "kalibreret"
    words = describe_overrides(
        {"policy": "shelter_first", "policy.support_shortage": "without"}, "da"
    )
    assert words == "indsats: trappetrinsmodellen · " + PARAMETER_DA["policy.support_shortage"] + (
        ": flyt ind uden støtte"
    )


def test_fan_bands_are_the_quantiles_over_replications():
    from hfsim.report.stats import spread_band

    rng = np.random.default_rng(5)
    values = rng.normal(10, 3, size=(20, 3))  # 20 replications, 3 steps
    frame = pd.DataFrame(
        [{"scenario": "a", "step": s, "replication": r, "value": values[r, s]}
         for r in range(20) for s in range(3)]
    )  # fmt: skip
    band = spread_band(frame, ["scenario", "step"])
    for q in (10, 25, 75, 90):
        assert band[f"q{q}"].to_numpy() == pytest.approx(np.quantile(values, q / 100, axis=0))
    assert band["mean"].to_numpy() == pytest.approx(values.mean(axis=0))


def test_time_series_figures_draw_the_spread_of_replications(comparison):
    ts = pd.read_parquet(comparison.outdir / "housing_first" / "timeseries.parquet")
    data = figures.FigureData(
        scenarios=["housing_first"], labels={"housing_first": "HF"}, timeseries=ts,
        tenancies=pd.DataFrame(), kpis=comparison.kpis, warmup_weeks=52, support_capacity={},
    )  # fmt: skip
    band = figures._metric_band(data, "support_active")
    per_step = ts[ts.metric == "support_active"].groupby("step")["value"]
    assert band.q90.to_numpy() == pytest.approx(per_step.quantile(0.9).to_numpy())
    assert (band.q10 <= band["mean"] + 1e-9).all() and (band["mean"] <= band.q90 + 1e-9).all()
    assert (band.q90 > band.q10).any()  # replications differ: the fan has width


def test_differences_of_shares_are_in_percentage_points_in_the_tables(comparison, danish):
    page = (comparison.outdir / "report.html").read_text(encoding="utf-8")
    tables = page.split(">Differences from the baseline<")[1]
    label = re.escape(i18n.kpi_label("retention_12m", "en"))
    assert re.search(rf"<td>{label}</td><td>pp</td>", tables)
    assert re.search(rf"<td>{label}</td><td>%</td>", page.split(">Differences from")[0])
    da_label = re.escape(i18n.kpi_label("retention_12m", "da"))
    assert re.search(rf"<td>{da_label}</td><td>procentpoint</td>", danish[0])
