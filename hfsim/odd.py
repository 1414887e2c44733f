"""Generate the parts of ``docs/odd.md`` that come from the code, so the ODD cannot drift.

``docs/odd.md`` is prose written by hand, with sections between markers::

    <!-- BEGIN GENERATED: parameters -->
    ...
    <!-- END GENERATED: parameters -->

that this module writes from the code: the step order (:data:`hfsim.model.STEP_ORDER` and
the model's docstring), the parameter tables (the schema's field metadata: default, unit,
range, source, meaning), the presets (their YAML values and source comments), the
targets table and the submodels' own docstrings. Regenerate with::

    python -m hfsim.odd            # rewrite the generated sections of docs/odd.md
    python -m hfsim.odd --check    # exit 1 if docs/odd.md is out of date

``tests/test_odd.py`` runs the check.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hfsim.config.load import CONFIG_DIR, group_options
from hfsim.config.schema import Config

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "odd.md"
MODEL_BLOCKS = (
    "citizens", "shelter", "housing", "tenancy", "support", "allocation", "costs", "policy",
    "regime",
)  # fmt: skip
PRESETS = ("aarhus", "copenhagen", "odense", "small_town", "denmark")
SUBMODEL_MODULES = (
    "hfsim.processes.homelessness",
    "hfsim.processes.market",
    "hfsim.housing",
    "hfsim.allocation",
    "hfsim.processes.support",
    "hfsim.agents.support",
    "hfsim.processes.tenancies",
    "hfsim.agents.landlords",
    "hfsim.processes.accounting",
    "hfsim.ledger",
    "hfsim.municipalities",
    "hfsim.rng",
)
_MARKER = re.compile(
    r"<!-- BEGIN GENERATED: (?P<name>[a-z_]+) -->\n.*?<!-- END GENERATED: (?P=name) -->",
    re.DOTALL,
)


def _cell(value: Any) -> str:
    """A Markdown table cell (pipes escaped, no line breaks)."""
    if isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------
def schedule_section() -> str:
    """The step order: phase, the function that runs it, and what it does."""
    from hfsim import model

    described = dict(re.findall(r"^\d+\. ``(\w+)``\s+(.+)$", model.__doc__ or "", re.MULTILINE))
    rows = []
    for i, (name, fn) in enumerate(model.STEP_ORDER, start=1):
        where = (
            f"`{fn.__module__}.{fn.__name__}`"
            if fn.__name__ != "<lambda>"
            else "`Recorder.collect`"
        )
        rows.append([i, f"`{name}`", where, described.get(name, "")])
    return _table(["#", "phase", "code", "what happens"], rows)


def _range(meta: dict[str, Any]) -> str:
    if meta.get("choices"):
        return " / ".join(meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else f'{lo:g}'} – {'' if hi is None else f'{hi:g}'}"


def _parameter_rows(node: Any, prefix: str) -> list[list[Any]]:
    rows = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            rows += _parameter_rows(value, key + ".")
            continue
        meta = f.metadata
        if "doc" not in meta:
            continue
        rows.append(
            [f"`{key}`", value, meta.get("unit", ""), _range(meta), meta.get("source", ""),
             meta.get("doc", "")]
        )  # fmt: skip
    return rows


def parameters_section() -> str:
    """One table per model block: key, default, unit, range, source, meaning."""
    cfg = Config()
    parts = []
    for block in MODEL_BLOCKS:
        parts.append(f"#### `{block}`\n")
        rows = _parameter_rows(getattr(cfg, block), f"{block}.")
        parts.append(_table(["key", "default", "unit", "range", "source", "meaning"], rows))
        parts.append("")
    return "\n".join(parts).rstrip()


def _preset_entries(name: str) -> dict[str, tuple[Any, str]]:
    """Dotted key -> (value, source comment) of the values a preset file sets."""
    text = (CONFIG_DIR / "municipality" / f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    comments: dict[str, str] = {}
    block = ""
    for line in text.splitlines():
        top = re.match(r"^(\w+):", line)
        if top:
            block = top.group(1)
            continue
        m = re.match(r"^  (\w+):(.*?)(#\s*(.*))?$", line)
        if m and m.group(4):
            comments[f"{block}.{m.group(1)}"] = m.group(4).strip()
    out: dict[str, tuple[Any, str]] = {}
    for block_name, body in data.items():
        if block_name in ("calibrate", "municipality") or not isinstance(body, dict):
            continue
        for key, value in body.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    out[f"{block_name}.{key}.{sub}"] = (v, comments.get(f"{block_name}.{key}", ""))
            else:
                out[f"{block_name}.{key}"] = (value, comments.get(f"{block_name}.{key}", ""))
    return out


def presets_section() -> str:
    """The values every preset sets, side by side, then each value's source."""
    presets = [p for p in PRESETS if p in group_options("municipality")]
    entries = {p: _preset_entries(p) for p in presets}
    keys = sorted({k for e in entries.values() for k in e})
    rows = [[f"`{k}`", *[entries[p].get(k, ("",))[0] for p in presets]] for k in keys]
    parts = [_table(["key", *presets], rows), ""]
    for p in presets:
        parts.append(f"Sources, `{p}` (`hfsim/configs/municipality/{p}.yaml`):\n")
        parts += [f"- `{k}` = {_cell(v)}: {c or 'no comment'}" for k, (v, c) in entries[p].items()]
        text = (CONFIG_DIR / "municipality" / f"{p}.yaml").read_text(encoding="utf-8")
        parts += [f"- {ln[2:]}" for ln in text.splitlines() if ln.startswith("# calibration (")]
        parts.append("")
    return "\n".join(parts).rstrip()


def targets_section() -> str:
    """The patterns the model is calibrated and validated against."""
    from hfsim.targets import load_targets

    t = load_targets()
    rows = [
        [f"`{r.target}`", r.scope, r.observed, f"{r.lower:g} – {r.upper:g}",
         "" if r.year != r.year else int(r.year), r.tag, r.source, r.policies or "any"]
        for r in t.itertuples(index=False)
    ]  # fmt: skip
    return _table(
        ["target", "scope", "observed", "range", "year", "tag", "source", "policies"], rows
    )


def submodels_section() -> str:
    """Each submodel module's own docstring (the equations live there, next to the code)."""
    parts = []
    for name in SUBMODEL_MODULES:
        module = importlib.import_module(name)
        doc = inspect.cleandoc(module.__doc__ or "")
        parts.append(f"#### `{name}`\n\n{doc}\n")
    return "\n".join(parts).rstrip()


def kpis_section() -> str:
    """Every KPI of summary.json and kpis.csv: key, meaning, unit."""
    from hfsim.results import KPIS

    return _table(["key", "meaning", "unit"], [[f"`{k.key}`", k.label, k.unit] for k in KPIS])


SECTIONS: dict[str, Callable[[], str]] = {
    "schedule": schedule_section,
    "parameters": parameters_section,
    "presets": presets_section,
    "targets": targets_section,
    "submodels": submodels_section,
    "kpis": kpis_section,
}


# ---------------------------------------------------------------------------------------
# Rewriting and checking the document
# ---------------------------------------------------------------------------------------
def render(text: str) -> str:
    """``text`` with every generated section rewritten from the code.

    Raises:
        ValueError: a section of :data:`SECTIONS` has no markers in ``text``.
    """
    found = {m.group("name") for m in _MARKER.finditer(text)}
    missing = sorted(set(SECTIONS) - found)
    if missing:
        raise ValueError(f"docs/odd.md has no markers for section(s) {', '.join(missing)}")

    def body(match: re.Match[str]) -> str:
        name = match.group("name")
        content = SECTIONS[name]() if name in SECTIONS else ""
        return f"<!-- BEGIN GENERATED: {name} -->\n{content}\n<!-- END GENERATED: {name} -->"

    return _MARKER.sub(body, text)


def stale_sections(path: Path = ODD_PATH) -> list[str]:
    """Names of the generated sections whose text in ``path`` differs from the code's."""
    text = path.read_text(encoding="utf-8")
    fresh = {m.group("name"): m.group(0) for m in _MARKER.finditer(render(text))}
    return [m.group("name") for m in _MARKER.finditer(text) if fresh[m.group("name")] != m.group(0)]


def main(argv: list[str] | None = None) -> int:
    """``python -m hfsim.odd [--check] [PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ODD_PATH), help="the ODD document")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if args.check:
        stale = stale_sections(path)
        if stale:
            print(f"{path}: out of date: {', '.join(stale)}; run `python -m hfsim.odd`")
            return 1
        print(f"{path}: up to date")
        return 0
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{path}: regenerated")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
