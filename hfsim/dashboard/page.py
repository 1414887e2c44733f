"""The dashboard page: controls on the left, both policies' views on the right (Solara).

A plain Solara page rather than Mesa's ``SolaraViz``: the page runs two models in lockstep
(one per policy, same seed), which ``SolaraViz`` (one model per page) does not do, and its
views are matplotlib figures and Pillow images, which work offline (Solara's Altair and
Markdown widgets fetch JavaScript from a CDN). Served by :mod:`hfsim.dashboard.serve`.

State is per browser session (Solara gives each tab its own kernel). Changing a setting builds
new models at week 0; Step advances both by the chosen number of weeks; Play steps in a
background thread that waits until the previous step is on screen before it takes the next one
(without that back-pressure a fast loop starves the render and the page freezes).
"""

from __future__ import annotations

import functools
import html
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import reacton.ipyvue as rvue
import reacton.ipyvuetify as rv
import solara

from hfsim.config import ConfigError, load_config
from hfsim.dashboard.dwellings import CELL_COLOURS, CELL_LABELS
from hfsim.dashboard.lockstep import (
    MUNICIPALITIES,
    POLICY_LABELS,
    REGIME_LABELS,
    Levers,
    Lockstep,
    Settings,
)
from hfsim.dashboard.views import VIEW_NAMES, Rendered, Views, short_label, summary

STEP_WEEKS = {"1 week": 1, "4 weeks": 4, "13 weeks": 13}
DEFAULT_STEP = "4 weeks"
PLAY_REST_S = 0.05  # rest after each Play step so clicks (Pause) get their turn
MUNICIPALITY_LABELS = {
    "small_town": "Small town (30,000 people)",
    "odense": "Odense",
    "aarhus": "Aarhus",
    "copenhagen": "Copenhagen",
}
ONE_POLICY = "nothing (one policy only)"
CAPTIONS = {
    "stock": "Where the citizens are, week by week. Both runs see the same people and the "
    "same vacant dwellings; only the policy differs.",
    "map": "Every square is one dwelling in a neighbourhood of the municipality. Watch "
    "offers (yellow) become tenancies, tenancies break (red), and where vulnerable tenants "
    "gather.",
    "flows": "Moves into an own dwelling (solid) and tenancies that broke down (dotted).",
    "retention": "Of the tenancies started so far: the share not broken down after so many "
    "months (Kaplan-Meier).",
    "costs": "Shelter, support, transitional stays, guarantees and rent subsidies per year; "
    "the regime decides how much the state refunds.",
    "landlords": "Private landlords offer a dwelling when they trust the municipality; a rent "
    "guarantee and stable tenancies raise that trust.",
}
TITLES = {
    "stock": "Who is where",
    "map": "Dwellings by neighbourhood",
    "flows": "Moves in and breakdowns",
    "retention": "Tenancy retention",
    "costs": "Who pays",
    "landlords": "Private landlords",
}

_start: dict[str, Settings] = {}


def configure(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Set the settings every new browser session starts from.

    Args:
        overrides: Config overrides (dotted keys, group choices), as on the command line.

    Raises:
        ConfigError: Bad overrides, or a municipality the dashboard cannot draw.
    """
    _start["settings"] = Settings.from_overrides(overrides)
    return _start["settings"]


def start_settings() -> Settings:
    """The settings a new session starts from (the dashboard's defaults unless configured)."""
    if "settings" not in _start:
        configure()
    return _start["settings"]


@functools.cache
def preset_levers(municipality: str) -> Levers:
    """The lever values of a municipality preset (the sliders' reference points)."""
    return Levers.from_config(load_config({"municipality": municipality}))


def check(settings: Settings) -> None:
    """Raise ConfigError if any model of ``settings`` would get an invalid config."""
    for policy in settings.policies:
        load_config(settings.overrides(policy))


class RenderGate:
    """Back-pressure for Play: the stepping thread waits until its step is on screen.

    Without it, a thread that changes state faster than a render takes keeps the thread
    holding reacton's render lock re-rendering for ever: the page freezes and Pause is never
    processed.
    """

    def __init__(self) -> None:
        self._shown = threading.Condition()
        self._week = -1

    def shown(self, week: int) -> None:
        """The page now shows ``week`` (called from an effect, after each render)."""
        with self._shown:
            self._week = week
            self._shown.notify_all()

    def wait(self, week: int, cancel: threading.Event, timeout_s: float = 30.0) -> bool:
        """Wait until ``week`` is shown, Play is cancelled or the timeout passes."""
        deadline = time.monotonic() + timeout_s
        with self._shown:
            while self._week < week and not cancel.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._shown.wait(min(0.05, left))
        return True


# Per browser session (Solara gives each tab its own kernel and so its own values).
settings_state = solara.reactive(None)  # Settings, or None for start_settings()
step_label = solara.reactive(DEFAULT_STEP)
playing = solara.reactive(False)
rebuild = solara.reactive(0)  # bumped by Reset
problem = solara.reactive("")


# -- controls --------------------------------------------------------------------------------
@solara.component
def LeverSlider(
    label: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    on_commit: Callable[[float], None],
    css: str,
    fmt: str = "{:g}",
):
    """A slider that commits on release (or key press), not on every value while dragging:
    each commit builds new models."""
    shown, set_shown = solara.use_state(value)
    solara.use_effect(lambda: set_shown(value), [value])
    with solara.Div(classes=["hf-lever", css]) as box:
        solara.Text(f"{label}: {fmt.format(shown)}", style={"font-size": "0.85em"})
        slider = rv.Slider(
            v_model=shown,
            on_v_model=set_shown,
            min=lo,
            max=hi,
            step=step,
            thumb_label=True,
            hide_details=True,
            dense=True,
        )
        rvue.use_event(slider, "change", lambda *args: on_commit(args[-1]))
    return box


def _lever_max(preset: float, factor: float, floor: float) -> float:
    return max(floor, factor * preset)


@solara.component
def Controls(settings: Settings):
    """The settings students change; each change restarts both runs at week 0."""

    def change(**changes: Any) -> None:
        try:
            new = settings.replace(**changes)
            check(new)
        except (ConfigError, TypeError, ValueError) as err:
            problem.set(str(err))
            return
        problem.set("")
        playing.set(False)
        settings_state.set(new)

    def use_preset(municipality: str) -> None:
        """Switch to a municipality (or stay) with its preset's lever values."""
        playing.set(False)
        problem.set("")
        settings_state.set(settings.with_municipality(municipality))

    municipalities = {v: k for k, v in MUNICIPALITY_LABELS.items()}

    levers = settings.levers
    preset = preset_levers(settings.municipality)
    labels = {v: k for k, v in POLICY_LABELS.items()}
    with solara.Card("Settings", classes=["hf-controls"], margin=0):
        solara.Select(
            "Municipality",
            values=[MUNICIPALITY_LABELS[m] for m in MUNICIPALITIES],
            value=MUNICIPALITY_LABELS[settings.municipality],
            on_value=lambda label: use_preset(municipalities[label]),
            classes=["hf-municipality"],
        )
        solara.Select(
            "Policy (left)",
            values=list(POLICY_LABELS.values()),
            value=POLICY_LABELS[settings.policy],
            on_value=lambda label: change(policy=labels[label]),
            classes=["hf-policy"],
        )
        solara.Select(
            "Side by side with (right)",
            values=[*POLICY_LABELS.values(), ONE_POLICY],
            value=POLICY_LABELS.get(settings.compare_with, ONE_POLICY),
            on_value=lambda label: change(compare_with=labels.get(label, "")),
            classes=["hf-compare"],
        )
        solara.Select(
            "Reimbursement regime",
            values=list(REGIME_LABELS.values()),
            value=REGIME_LABELS[settings.regime],
            on_value=lambda label: change(
                regime=next(k for k, v in REGIME_LABELS.items() if v == label)
            ),
            classes=["hf-regime"],
        )
        LeverSlider(
            "Anvisningsret: share of social vacancies",
            levers.anvisning_share,
            0.0,
            1.0,
            0.05,
            lambda v: change(anvisning_share=round(float(v), 2)),
            "hf-anvisning",
            "{:.0%}",
        )
        LeverSlider(
            "§110 shelter places",
            levers.shelter_capacity,
            0,
            _lever_max(preset.shelter_capacity, 3, 40),
            1,
            lambda v: change(shelter_capacity=int(v)),
            "hf-shelter",
        )
        solara.Switch(
            label="Support staff fixed (off: teams follow the caseload)",
            value=levers.staffing == "fixed",
            on_value=lambda v: change(staffing="fixed" if v else "demand"),
            classes=["hf-staffing"],
        )
        for method in ("cti", "icm", "act"):
            name = f"{method}_staff"
            LeverSlider(
                f"{method.upper()} support staff",
                getattr(levers, name),
                0,
                _lever_max(getattr(preset, name), 3, 10),
                1,
                functools.partial(lambda n, v: change(**{n: int(v)}), name),
                f"hf-{method}",
            )
        cheap_max = _lever_max(preset.cheap_units, 4, 100)
        LeverSlider(
            "Cheap-housing programme (dwellings)",
            levers.cheap_units,
            0,
            cheap_max,
            1 if cheap_max <= 200 else 10,
            lambda v: change(cheap_units=int(v)),
            "hf-cheap",
        )
        solara.Switch(
            label="Rent guarantee to private landlords",
            value=levers.private_guarantee,
            on_value=lambda v: change(private_guarantee=bool(v)),
            classes=["hf-guarantee"],
        )
        with solara.Div(classes=["hf-seed"]):
            solara.InputInt("Seed", value=settings.seed, on_value=lambda v: change(seed=v))
        solara.Text(
            "Changing a setting starts both runs again at week 0. "
            f"Preset values: anvisningsret {preset.anvisning_share:.0%}, "
            f"{preset.shelter_capacity} places, "
            f"staff {preset.cti_staff}/{preset.icm_staff}/{preset.act_staff}, "
            f"{preset.cheap_units} programme dwellings.",
            style={"font-size": "0.8em", "color": "#555"},
        )
        solara.Button(
            "Preset levers",
            on_click=lambda: use_preset(settings.municipality),
            disabled=levers == preset,
            small=True,
            outlined=True,
            classes=["hf-preset-btn"],
        )


@solara.component
def Toolbar(lockstep: Lockstep, on_step: Callable[[], Any], seconds: tuple[float, float]):
    """Step, Play/Pause, Reset, the step length, the week and the time a step took."""
    week, total = lockstep.week, lockstep.total_weeks
    is_playing = playing.value

    def reset() -> None:
        playing.set(False)
        problem.set("")
        rebuild.set(rebuild.value + 1)

    with solara.Column(gap="2px"):
        with solara.Row(
            style={"align-items": "center", "flex-wrap": "wrap"}, classes=["hf-toolbar"]
        ):
            solara.Button(
                "Step",
                on_click=on_step,
                disabled=is_playing or lockstep.done,
                color="primary",
                classes=["hf-step-btn"],
            )
            solara.Button(
                "Pause" if is_playing else "Play",
                on_click=lambda: playing.set(not playing.value),
                disabled=lockstep.done and not is_playing,
                color="warning" if is_playing else "success",
                classes=["hf-play-btn"],
            )
            solara.Button("Reset", on_click=reset, classes=["hf-reset-btn"])
            with solara.Div(style={"width": "130px"}, classes=["hf-step-size"]):
                solara.Select("Step length", values=list(STEP_WEEKS), value=step_label, dense=True)
            solara.Text(
                f"Week {week} of {total} (year {week // 52 + 1})",
                classes=["hf-week"],
                style={"font-size": "1.25em", "font-weight": "bold"},
            )
            solara.Text("playing" if is_playing else "paused", classes=["hf-play-state"])
            model_s, views_s = seconds
            solara.Text(
                f"last step: models {model_s * 1000:.0f} ms + views {views_s * 1000:.0f} ms",
                classes=["hf-timing"],
                style={"color": "#666", "font-size": "0.85em"},
            )
        solara.Text(
            describe(lockstep.settings),
            classes=["hf-run"],
            style={"color": "#444", "font-size": "0.85em"},
        )


def _staff_text(lv: Levers) -> str:
    if lv.staffing != "fixed":
        return "support follows the caseload"
    return f"fixed staff CTI {lv.cti_staff}, ICM {lv.icm_staff}, ACT {lv.act_staff}"


def describe(settings: Settings) -> str:
    """One line saying what the models on screen were built from."""
    lv = settings.levers
    runs = " vs ".join(short_label(p) for p in settings.policies)
    return (
        f"{runs} · {MUNICIPALITY_LABELS[settings.municipality]} · "
        f"{REGIME_LABELS[settings.regime]} · anvisningsret {lv.anvisning_share:.0%} · "
        f"{lv.shelter_capacity} shelter places · {_staff_text(lv)} · guarantee {'on' if lv.private_guarantee else 'off'} · "
        f"{lv.cheap_units} programme dwellings · seed {settings.seed}"
    )


# -- views -----------------------------------------------------------------------------------
def summary_html(rows: list[dict[str, str]]) -> str:
    """The key numbers as an HTML table: one column per policy."""
    cell = "padding:2px 10px;border-bottom:1px solid #eee;"
    head = "".join(
        f"<th style='{cell}text-align:right'>{html.escape(r['policy'])}</th>" for r in rows
    )
    body = []
    for key in list(rows[0])[1:]:
        values = "".join(
            f"<td style='{cell}text-align:right'>{html.escape(r[key])}</td>" for r in rows
        )
        body.append(f"<tr><td style='{cell}'>{html.escape(key)}</td>{values}</tr>")
    return f"<thead><tr><th style='{cell}'></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"


def legend_html() -> str:
    """The dwelling map's legend (colour squares and labels)."""
    items = [
        f"<span style='display:inline-block;width:11px;height:11px;background:{colour};"
        f"border:1px solid #999;margin:0 4px 0 12px;vertical-align:middle'></span>"
        f"{html.escape(label)}"
        for colour, label in zip(CELL_COLOURS[: len(CELL_LABELS)], CELL_LABELS, strict=True)
    ]
    return "".join(items)


@solara.component
def ViewPanel(name: str, rendered: Rendered, legend: str = ""):
    """One view: its title, what to look for, and the image."""
    with solara.Card(TITLES[name], classes=[f"hf-view hf-view-{name}"], margin=0):
        solara.Text(CAPTIONS[name], style={"font-size": "0.85em", "color": "#444"})
        if legend:
            solara.HTML(unsafe_innerHTML=legend, style="font-size:0.8em;margin:4px 0")
        solara.Image(rendered.png, format="png", width="100%")


@solara.component
def Page():
    """The dashboard: settings, the toolbar, key numbers and the views of both policies."""
    solara.Title("hfsim: Housing First and shelter-first side by side")
    settings = settings_state.value or start_settings()
    tick, set_tick = solara.use_state(0)
    lockstep = solara.use_memo(lambda: Lockstep(settings), [settings, rebuild.value])
    views = solara.use_memo(lambda: Views(lockstep), [lockstep])
    gate = solara.use_memo(RenderGate, [lockstep])
    rendered = solara.use_memo(lambda: {n: views.render(n) for n in VIEW_NAMES}, [views, tick])
    rows = solara.use_memo(lambda: summary(lockstep), [lockstep, tick])
    # after every committed render: tell a Play thread which week is on screen
    solara.use_effect(lambda: gate.shown(lockstep.week), [lockstep, tick])

    def do_step() -> int:
        week = lockstep.step(STEP_WEEKS[step_label.value])
        set_tick(lambda k: k + 1)
        return week

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        while not cancel.is_set():
            if lockstep.done:
                playing.set(False)
                return
            try:
                week = do_step()
            except Exception as err:  # show it rather than a silently dead "playing"
                problem.set(f"step failed: {err!r}")
                playing.set(False)
                raise
            gate.wait(week, cancel)
            cancel.wait(PLAY_REST_S)

    # a new thread whenever Play is pressed or the models change; the old one is cancelled
    solara.use_thread(play, dependencies=[playing.value, lockstep], intrusive_cancel=False)
    views_s = sum(r.seconds for r in rendered.values())

    with solara.Columns([1, 3.3], classes=["hf-root"]):
        Controls(settings)
        with solara.Column(gap="10px"):
            Toolbar(lockstep, do_step, (lockstep.step_seconds, views_s))
            if problem.value:
                solara.Error(problem.value, classes=["hf-error"])
            if lockstep.done:
                solara.Info("The end of the run: press Reset to start again.", dense=True)
            solara.HTML(
                tag="table",
                unsafe_innerHTML=summary_html(rows),
                classes=["hf-summary"],
                style="font-size:0.9em",
            )
            ViewPanel("stock", rendered["stock"])
            ViewPanel("map", rendered["map"], legend_html())
            with solara.Columns([1, 1]):
                ViewPanel("flows", rendered["flows"])
                ViewPanel("retention", rendered["retention"])
            with solara.Columns([1, 1]):
                ViewPanel("costs", rendered["costs"])
                ViewPanel("landlords", rendered["landlords"])
