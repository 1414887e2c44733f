"""The dashboard's views: figures of the running models, rendered to PNG.

Every view draws every policy of a :class:`~hfsim.dashboard.lockstep.Lockstep` (Housing First
and shelter-first side by side, in the report's colours) from the model's own records
(``recorder``, ``ledger``, ``tenancy_log``, landlords, the dwelling map) up to the current
week. A view is built once per lockstep and redrawn after each step. The charts keep their
matplotlib figure, replace the data of the artists that move and draw only those over a saved
picture of the axes (see :class:`Chart`); the dwelling map is drawn with numpy and Pillow. All
six views of a step take about 60 ms of CPU, a fraction of what building the figures anew
takes. Matplotlib and plain images only: the page must work offline, and Solara's Altair
widget fetches its JavaScript from a CDN.

:class:`Views` gives the views of one lockstep by name (:data:`VIEW_NAMES`); the page, the
tests and the timing use them alike.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator, MultipleLocator  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from hfsim.agents.citizen import STATE_NAMES, State  # noqa: E402
from hfsim.dashboard.dwellings import CELL_COLOURS, HOUSING_FIRST, SHELTER_FIRST  # noqa: E402
from hfsim.dashboard.lockstep import POLICY_LABELS, Lockstep  # noqa: E402
from hfsim.housing import Neighbourhood  # noqa: E402
from hfsim.ledger import CATEGORIES, PAYERS  # noqa: E402
from hfsim.model import HousingModel  # noqa: E402
from hfsim.report.figures import PALETTE, STATE_COLOURS  # noqa: E402
from hfsim.report.stats import kaplan_meier_curve  # noqa: E402
from hfsim.results import BREAKDOWN_CAUSES  # noqa: E402

DPI = 80
WEEKS_PER_YEAR = 52.0
WEEKS_PER_MONTH = 52.0 / 12.0
MIO = 1e6
# the report's scenario colours: Housing First blue, shelter-first orange, mixed green
POLICY_COLOURS = {"housing_first": PALETTE[0], "shelter_first": PALETTE[1], "mixed": PALETTE[2]}
# where two policies' lines coincide (the same landlords), both stay visible
POLICY_LINESTYLES = {"housing_first": "-", "shelter_first": "--", "mixed": "-."}
STATE_LABELS = {
    "rough_sleeping": "rough sleeping",
    "sofa_surfing": "sofa surfing",
    "shelter": "§110 shelter",
    "transitional": "temporary / transitional step",
    "housed": "housed (own dwelling)",
}
# stacked from the bottom: housed first, so the homeless stack sits on top of it
STACK_ORDER = (
    State.HOUSED,
    State.TRANSITIONAL,
    State.SHELTER,
    State.SOFA_SURFING,
    State.ROUGH_SLEEPING,
)
GRID = {"color": "#e6e6e6", "lw": 0.6}


def short_label(policy: str) -> str:
    """The policy's name without its explanation in brackets."""
    return POLICY_LABELS[policy].split(" (")[0]


def annual_costs(model: HousingModel) -> np.ndarray:
    """Public cost per year so far, by category and payer (DKK/year; zeros at week 0)."""
    weeks = model.steps
    if weeks == 0:
        return np.zeros((len(CATEGORIES), len(PAYERS)))
    spent = model.ledger.cost[1 : weeks + 1].sum(axis=(0, 1))  # categories × payers
    return spent * WEEKS_PER_YEAR / weeks


def monthly(weekly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum the values of weeks 1..n into months.

    Args:
        weekly: One value per week, from week 1.

    Returns:
        (month edges in years, sums per month).
    """
    month = (np.arange(len(weekly)) / WEEKS_PER_MONTH).astype(int)
    sums = np.bincount(month, weights=weekly, minlength=1)
    return np.arange(len(sums) + 1) / 12.0, sums


def retention_curve(model: HousingModel) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier share of tenancies not broken down, by months since move-in.

    Tenancies still running, and those that ended otherwise (moved on, left), are censored.
    """
    log = model.tenancy_log
    if not log:
        return np.array([0.0]), np.array([1.0])
    now = float(model.steps)
    durations = np.array([(now if t.how_ended == "ongoing" else t.end) - t.start for t in log])
    broke = np.array([t.how_ended in BREAKDOWN_CAUSES for t in log], dtype=float)
    curve = kaplan_meier_curve(durations / WEEKS_PER_MONTH, broke)
    return curve.time.to_numpy(), curve.survival.to_numpy()


# -- charts ----------------------------------------------------------------------------------
class Chart:
    """A matplotlib figure built once for a lockstep and redrawn as its models advance.

    Subclasses set :attr:`size_in` and :attr:`margins`, build their artists in :meth:`setup`
    (registering those that change with :meth:`moving`) and replace their data and limits in
    :meth:`update`. A frame redraws only the moving artists over a saved picture of the rest
    (axes, ticks, labels, legend: most of the drawing time); the picture is drawn again when
    an axis limit changes. Limits move in coarse jumps (:func:`nice_ceiling`), so that is rare.

    Args:
        lockstep: The models to draw.
    """

    size_in: tuple[float, float] = (4.8, 2.8)
    margins = {"left": 0.12, "right": 0.98, "top": 0.88, "bottom": 0.17}

    def __init__(self, lockstep: Lockstep) -> None:
        # no layout engine: "constrained" costs tens of ms a figure
        self.fig = Figure(figsize=self.size_in, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(**self.margins)
        self._moving: list = []
        self._background = None
        self._limits: tuple = ()
        # every frame says which week it shows (screenshots explain themselves, and a frame
        # is never byte-identical to the one before, so the page always receives it)
        self.stamp = self.moving(
            self.fig.text(0.995, 0.99, "", ha="right", va="top", fontsize=7, color="#777777")
        )
        self.setup(lockstep)
        # only now: legends made in setup copy their handles' properties, "animated" too
        for artist in self._moving:
            artist.set_animated(True)

    def moving(self, artist):
        """Register an artist that changes from frame to frame; returns it."""
        self._moving.append(artist)
        return artist

    def policy_lines(self, ax, lockstep: Lockstep, y0: float, ls: dict | None = None, **style):
        """One moving line per policy, starting at (0, ``y0``), in the policy's colour (and
        line style from ``ls``); returns them by policy."""
        return {
            policy: self.moving(
                ax.plot(
                    [0.0],
                    [y0],
                    color=POLICY_COLOURS[policy],
                    lw=1.6,
                    ls=(ls or {}).get(policy, "-"),
                    label=short_label(policy),
                    **style,
                )[0]  # fmt: skip
            )
            for policy in lockstep.models
        }

    def setup(self, lockstep: Lockstep) -> None:
        raise NotImplementedError

    def update(self, lockstep: Lockstep) -> None:
        raise NotImplementedError

    def png(self, lockstep: Lockstep) -> bytes:
        """Update the artists and encode the frame as PNG (fast zlib: the page is local)."""
        self.update(lockstep)
        self.stamp.set_text(f"week {lockstep.week}")
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes)
        if limits != self._limits or self._background is None:
            self.canvas.draw()  # everything but the moving artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._limits = limits
        else:
            self.canvas.restore_region(self._background)
        for artist in self._moving:
            self.fig.draw_artist(artist)
        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba())
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


FINE_STEPS = (1, 1.5, 2, 3, 4, 5, 6, 8)
YEAR_STEPS = (1, 2, 5)


def nice_ceiling(value: float, steps: tuple[float, ...] = FINE_STEPS) -> float:
    """The smallest ``step × 10^k`` (a step of ``steps``, or 10) that is >= ``value``.

    Axis limits move in these jumps, so the saved picture of a chart's axes (see
    :class:`Chart`) is rarely drawn again.
    """
    if value <= 0:
        return float(steps[0])
    power = 10.0 ** np.floor(np.log10(value))
    for step in (*steps, 10):
        if step * power >= value - 1e-9:
            return float(step * power)
    return float(10 * power)


# (axis width up to, tick spacing) in years
YEAR_TICKS = ((1.0, 0.25), (2.0, 0.5), (5.0, 1.0), (np.inf, 2.0))


def _time_axis(ax, week: int, horizon_weeks: int) -> None:
    """Years since the start: 1, 2, 5, 10, ... years wide (at most the horizon)."""
    wanted = max(1.0, nice_ceiling(max(week, 1) / WEEKS_PER_YEAR, YEAR_STEPS))
    years = min(wanted, horizon_weeks / WEEKS_PER_YEAR)
    if ax.get_xlim() != (0.0, years):
        ax.set_xlim(0.0, years)
        spacing = next(tick for width, tick in YEAR_TICKS if years <= width)
        ax.xaxis.set_major_locator(MultipleLocator(spacing))


def _style(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    # labels without tick marks, horizontal grid lines only: a quiet chart for a projector
    ax.tick_params(labelsize=7, length=0)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.grid(axis="y", **GRID)


class StockChart(Chart):
    """Where the citizens are, week by week: a stacked area per policy on one y-axis."""

    size_in = (9.6, 2.7)
    margins = {"left": 0.065, "right": 0.8, "top": 0.89, "bottom": 0.17, "wspace": 0.06}

    def setup(self, lockstep: Lockstep) -> None:
        models = lockstep.models
        self.axes = self.fig.subplots(1, len(models), sharey=True, squeeze=False)[0]
        self.layers = {}
        for ax, policy in zip(self.axes, models, strict=True):
            self.layers[policy] = [
                self.moving(
                    ax.fill_between([0.0], 0.0, 0.0, color=STATE_COLOURS[STATE_NAMES[s]], lw=0)
                )
                for s in STACK_ORDER
            ]
            ax.set_title(POLICY_LABELS[policy], fontsize=9, color=POLICY_COLOURS[policy])
            _style(ax, "years since start", "")
        self.axes[0].set_ylabel("citizens", fontsize=8)
        handles = [
            Patch(color=STATE_COLOURS[STATE_NAMES[s]], label=STATE_LABELS[STATE_NAMES[s]])
            for s in reversed(STACK_ORDER)
        ]
        self.fig.legend(handles=handles, loc="center right", fontsize=7.5, frameon=False)

    def update(self, lockstep: Lockstep) -> None:
        top = 1.0
        for ax, (policy, model) in zip(self.axes, lockstep.models.items(), strict=True):
            counts = model.recorder.counts[: model.steps + 1, 0, :].astype(float)
            years = np.arange(len(counts)) / WEEKS_PER_YEAR
            lower = np.zeros(len(counts))
            for layer, state in zip(self.layers[policy], STACK_ORDER, strict=True):
                upper = lower + counts[:, state]
                layer.set_data(years, lower, upper)
                lower = upper
            top = max(top, float(lower.max()))
            _time_axis(ax, lockstep.week, lockstep.total_weeks)
        self.axes[0].set_ylim(0, nice_ceiling(top * 1.05))


class FlowsChart(Chart):
    """Moves into a dwelling (solid) and tenancy breakdowns (dotted) per month."""

    def setup(self, lockstep: Lockstep) -> None:
        self.ax = ax = self.fig.subplots()
        self.steps = {}
        for policy in lockstep.models:
            for flow, style in (("placements", "-"), ("breakdowns", ":")):
                what = "moved in" if flow == "placements" else "broke down"
                self.steps[policy, flow] = self.moving(
                    ax.stairs(
                        [0.0],
                        [0.0, 1 / 12],
                        color=POLICY_COLOURS[policy],
                        ls=style,
                        lw=1.6,
                        label=f"{short_label(policy)}: {what}",
                    )
                )
        ax.set_title("Moves into a dwelling and breakdowns per month", fontsize=9)
        _style(ax, "years since start", "per month")
        ax.legend(fontsize=6.5, loc="upper left", frameon=False)

    def update(self, lockstep: Lockstep) -> None:
        top = 1.0
        for policy, model in lockstep.models.items():
            for flow in ("placements", "breakdowns"):
                weekly = model.recorder.flows[flow][1 : model.steps + 1, :].sum(axis=1)
                edges, sums = monthly(weekly.astype(float))
                self.steps[policy, flow].set_data(sums, edges)
                top = max(top, float(sums.max()))
        self.ax.set_ylim(0, nice_ceiling(top * 1.3))
        _time_axis(self.ax, lockstep.week, lockstep.total_weeks)


class RetentionChart(Chart):
    """Kaplan-Meier tenancy retention (not broken down) by months since move-in."""

    def setup(self, lockstep: Lockstep) -> None:
        self.ax = ax = self.fig.subplots()
        self.lines = self.policy_lines(ax, lockstep, 1.0, drawstyle="steps-post")
        ax.axvline(12, color="#999999", lw=0.7, ls=":")
        ax.set_ylim(0, 1.03)
        ax.set_title("Tenancies kept (not broken down)", fontsize=9)
        _style(ax, "months since move-in", "share kept")
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.legend(fontsize=7, loc="lower left", frameon=False)

    def update(self, lockstep: Lockstep) -> None:
        longest = 12.0
        for policy, model in lockstep.models.items():
            months, kept = retention_curve(model)
            self.lines[policy].set_data(months, kept)
            longest = max(longest, float(months.max()))
        self.ax.set_xlim(0, nice_ceiling(longest))


class CostsChart(Chart):
    """Public cost per year so far: the municipality's part (solid) and the state's (hatched)."""

    margins = {"left": 0.22, "right": 0.97, "top": 0.88, "bottom": 0.17}

    def setup(self, lockstep: Lockstep) -> None:
        self.ax = ax = self.fig.subplots()
        policies = list(lockstep.models)
        ys = np.arange(len(policies))[::-1]
        self.bars = {}
        for y, policy in zip(ys, policies, strict=True):
            colour = POLICY_COLOURS[policy]
            municipal = ax.barh(y, 0.0, color=colour, height=0.6)[0]
            state = ax.barh(y, 0.0, color=colour, alpha=0.45, height=0.6, hatch="//")[0]
            label = ax.text(0, y, "", va="center", fontsize=7)
            self.bars[policy] = tuple(self.moving(a) for a in (municipal, state, label))
        ax.set_yticks(ys, [short_label(p) for p in policies], fontsize=8)
        ax.set_ylim(-0.6, len(policies) - 0.4)
        ax.set_xlabel("million DKK per year (so far)", fontsize=8)
        ax.tick_params(labelsize=7, length=0)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_title("Public cost: municipality (solid), state (hatched)", fontsize=9)
        ax.grid(axis="x", **GRID)

    def update(self, lockstep: Lockstep) -> None:
        right = 0.1
        for policy, model in lockstep.models.items():
            municipal, state, label = self.bars[policy]
            cost = annual_costs(model).sum(axis=0) / MIO  # by payer
            total = float(cost.sum())
            municipal.set_width(cost[0])
            state.set_x(cost[0])
            state.set_width(cost[1])
            label.set_x(total)
            share = f"state pays {cost[1] / total:.0%}" if total else "no costs yet"
            label.set_text(f" {total:.1f} ({share})")
            right = max(right, total)
        self.ax.set_xlim(0, nice_ceiling(right * 1.55))


class LandlordsChart(Chart):
    """Private landlords who offered a dwelling to the municipality within the last year."""

    def setup(self, lockstep: Lockstep) -> None:
        self.ax = ax = self.fig.subplots()
        self.lines = self.policy_lines(ax, lockstep, 0.0, ls=POLICY_LINESTYLES)
        owners = len(next(iter(lockstep.models.values())).landlords)
        ax.set_ylim(0, max(owners, 1) + 0.5)
        ax.set_title(f"Private landlords offering dwellings (of {owners})", fontsize=9)
        _style(ax, "years since start", "landlords")
        ax.legend(fontsize=7, loc="upper left", frameon=False)

    def update(self, lockstep: Lockstep) -> None:
        for policy, model in lockstep.models.items():
            active = model.recorder.levels["landlords_active"][: model.steps + 1, :].sum(axis=1)
            self.lines[policy].set_data(np.arange(len(active)) / WEEKS_PER_YEAR, active)
        _time_axis(self.ax, lockstep.week, lockstep.total_weeks)


# -- the dwelling map -----------------------------------------------------------------------
@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


CELL_RGB = np.array([_rgb(c) for c in CELL_COLOURS], dtype=np.uint8)


class DwellingMapView:
    """Every neighbourhood's dwellings, one cell each, coloured by tenant; one image per policy
    side by side. Drawn with numpy and Pillow (a few ms, against ~200 ms in matplotlib).

    Args:
        lockstep: The models to draw.
        width_px: Width of one policy's map.
    """

    HEADER_PX = 22
    LABEL_PX = 15
    GAP_PX = 8
    MIN_WIDTH_PX = 380  # room for the header when the squares are small (large towns)
    VULNERABLE_AREA_COLOUR = "#a33a00"

    def __init__(self, lockstep: Lockstep, width_px: int = 470) -> None:
        first = next(iter(lockstep.dwellings.values()))
        self.count = len(first.neighbourhoods)
        self.side = first.side
        self.columns = int(np.ceil(np.sqrt(self.count)))
        self.rows = int(np.ceil(self.count / self.columns))
        usable = width_px - (self.columns - 1) * self.GAP_PX
        self.cell_px = int(max(1, min(14, usable // (self.columns * self.side))))
        self.block_px = self.side * self.cell_px
        blocks_px = self.columns * self.block_px + (self.columns - 1) * self.GAP_PX
        self.width_px = max(blocks_px, self.MIN_WIDTH_PX)
        self.height_px = self.HEADER_PX + self.rows * (self.LABEL_PX + self.block_px + self.GAP_PX)

    def _block(self, cells: np.ndarray) -> np.ndarray:
        square = np.full(self.side * self.side, len(CELL_RGB) - 1, dtype=np.int8)
        square[: len(cells)] = cells
        rgb = CELL_RGB[square.reshape(self.side, self.side)]
        rgb = rgb.repeat(self.cell_px, axis=0).repeat(self.cell_px, axis=1)
        if self.cell_px >= 5:  # a white line between cells when they are big enough to see
            rgb[self.cell_px - 1 :: self.cell_px, :] = 255
            rgb[:, self.cell_px - 1 :: self.cell_px] = 255
        return rgb

    def _panel(self, policy: str, lockstep: Lockstep) -> Image.Image:
        dmap = lockstep.dwellings[policy]
        canvas = np.full((self.height_px, self.width_px, 3), 255, dtype=np.uint8)
        origins = []
        for i in range(self.count):
            r, c = divmod(i, self.columns)
            x = c * (self.block_px + self.GAP_PX)
            y = self.HEADER_PX + r * (self.LABEL_PX + self.block_px + self.GAP_PX)
            top = y + self.LABEL_PX
            canvas[top : top + self.block_px, x : x + self.block_px] = self._block(dmap.cells(i))
            origins.append((x, y))
        image = Image.fromarray(canvas)
        draw = ImageDraw.Draw(image)
        counts = dmap.counts()
        tenancies = counts[HOUSING_FIRST] + counts[SHELTER_FIRST]
        header = f"{short_label(policy)}: week {lockstep.week}, {tenancies} tenancies"
        draw.text((0, 2), header, fill=POLICY_COLOURS[policy], font=_font(14))
        for i, (x, y) in enumerate(origins):
            area = dmap.neighbourhoods[i]
            colour = self.VULNERABLE_AREA_COLOUR if area.vulnerable else "#333333"
            draw.text((x, y + 1), self._label(area, i + 1), fill=colour, font=_font(11))
        return image

    def _label(self, area: Neighbourhood, number: int) -> str:
        """The longest caption that fits above the square: kind of area and the share of
        vulnerable tenants now (vulnerable areas are also drawn in another colour)."""
        share = f"{area.concentration:.0%}"
        kind = "vulnerable area" if area.vulnerable else "ordinary area"
        short = "vuln. area" if area.vulnerable else "ordinary"
        room = self.block_px + self.GAP_PX - 2
        variants = (f"{number}: {kind}, {share} vulnerable", f"{number}: {short}, {share}")
        return next((t for t in variants if _font(11).getlength(t) <= room), f"{number}: {share}")

    def png(self, lockstep: Lockstep) -> bytes:
        """The maps of all policies side by side, as PNG."""
        panels = [self._panel(policy, lockstep) for policy in lockstep.dwellings]
        gap = 24
        out = Image.new(
            "RGB", (sum(p.width for p in panels) + gap * (len(panels) - 1), self.height_px), "white"
        )
        x = 0
        for panel in panels:
            out.paste(panel, (x, 0))
            x += panel.width + gap
        buf = io.BytesIO()
        out.save(buf, format="png", compress_level=1)
        return buf.getvalue()


VIEW_CLASSES = {
    "stock": StockChart,
    "map": DwellingMapView,
    "flows": FlowsChart,
    "retention": RetentionChart,
    "costs": CostsChart,
    "landlords": LandlordsChart,
}
VIEW_NAMES = tuple(VIEW_CLASSES)


@dataclass(frozen=True)
class Rendered:
    """The PNG of one view, the week it shows and how long it took to draw."""

    png: bytes
    week: int
    seconds: float


class Views:
    """All views of one lockstep, built on first use.

    Args:
        lockstep: The models to draw.
    """

    def __init__(self, lockstep: Lockstep) -> None:
        self.lockstep = lockstep
        self._views: dict[str, Chart | DwellingMapView] = {}

    def render(self, name: str) -> Rendered:
        """Draw one view (a name of :data:`VIEW_NAMES`) at the current week."""
        start = time.perf_counter()
        with self.lockstep.lock:  # Play steps the models in another thread
            view = self._views.get(name)
            if view is None:
                view = self._views[name] = VIEW_CLASSES[name](self.lockstep)
            data = view.png(self.lockstep)
            week = self.lockstep.week
        return Rendered(data, week, time.perf_counter() - start)


def summary(lockstep: Lockstep) -> list[dict[str, str]]:
    """The key numbers per policy, as text (one dict per policy, same keys)."""
    rows = []
    with lockstep.lock:
        for policy, model in lockstep.models.items():
            pop = model.population
            flows = model.recorder.flows
            weeks = slice(1, model.steps + 1)
            cost = annual_costs(model).sum(axis=0) / MIO
            active = sum(ll.active(model.now) for ll in model.landlords)
            rows.append(
                {
                    "policy": POLICY_LABELS[policy],
                    "homeless now": str(sum(pop[s] for s in STATE_NAMES[: State.HOUSED])),
                    "sleeping rough": str(pop["rough_sleeping"]),
                    "in shelter": str(pop["shelter"]),
                    "housed now": str(pop["housed"]),
                    "moved in so far": str(int(flows["placements"][weeks].sum())),
                    "broke down so far": str(int(flows["breakdowns"][weeks].sum())),
                    "cost per year (mio DKK)": f"{cost.sum():.1f}",
                    "state pays": f"{cost[1] / cost.sum():.0%}" if cost.sum() else "–",
                    "landlords offering": f"{active} of {len(model.landlords)}",
                }
            )
    return rows
