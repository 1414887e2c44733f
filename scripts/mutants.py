#!/usr/bin/env python
"""A small mutation run: break one mechanism at a time and see whether a test fails.

Each mutant replaces one snippet of a core module. The run copies the package and the tests
into a temporary folder, applies one mutant there, runs the mutation suite (``SUITE``) with
``-x`` and records whether a test failed (killed) or all passed (survived). The working tree
is never changed.

Usage::

    .venv/bin/python scripts/mutants.py                 # all mutants, the current tests
    .venv/bin/python scripts/mutants.py --tests-from REV  # the same mutants, the tests of REV
    .venv/bin/python scripts/mutants.py --only cti_never_ends

Writes ``mutants.csv`` (mutant, what it breaks, killed, seconds) in the current folder and
prints the score. See docs/mutation.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the tests that guard the mechanisms (the quick subset's model tests)
SUITE = (
    "tests/test_mechanisms.py",
    "tests/test_model.py",
    "tests/test_effects.py",
    "tests/test_regimes.py",
    "tests/test_survival.py",
    "tests/test_targets.py",
    "tests/test_levers.py",
)


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str
    path: str
    old: str
    new: str


MUTANTS = (
    Mutant(
        "staircase_skips_readiness",
        "shelter-first offers dwellings to citizens not yet housing ready",
        "hfsim/policies.py",
        "return citizen.stair_level == 2",
        "return True",
    ),
    Mutant(
        "km_counts_exits_as_breakdowns",
        "retention's Kaplan-Meier counts moves and deaths as breakdowns",
        "hfsim/results.py",
        "events = np.array([t.how_ended in BREAKDOWN_CAUSES for t in tenancies], dtype=int)",
        'events = np.array([t.how_ended != "ongoing" for t in tenancies], dtype=int)',
    ),
    Mutant(
        "cti_never_ends",
        "a CTI course never ends",
        "hfsim/processes/support.py",
        "    if case.phase == 3:\n        end_case(model, case, tau)\n        return\n",
        "    if case.phase == 3:\n        return\n",
    ),
    Mutant(
        "host_pays_shelter",
        "the host municipality pays for shelter nights instead of the home municipality",
        "hfsim/processes/accounting.py",
        'model.ledger.change(citizen.municipality, "shelter_nights", DAYS_PER_WEEK, tau)',
        'model.ledger.change(citizen.shelter_host, "shelter_nights", DAYS_PER_WEEK, tau)',
    ),
    Mutant(
        "s85a_refund_never_stops",
        "the §85a support refund never stops",
        "hfsim/processes/accounting.py",
        '        model.ledger.change(\n            case.citizen.municipality, "support_refund_dkk", '
        "-team.cost_per_week(case), tau\n        )\n",
        "        pass\n",
    ),
    Mutant(
        "refund_limit_ignored",
        "the reform's limit on refunded shelter days is ignored",
        "hfsim/ledger.py",
        "self.refund_days = float(regime.shelter_refund_days)",
        "self.refund_days = 366.0",
    ),
    Mutant(
        "events_wait_a_week",
        "events falling in the current week wait for the next (the state lags the ledger)",
        "hfsim/model.py",
        "            week = now if order > self._phase_index else now + 1\n",
        "            week = now + 1\n            self._calendar[phase][week].append(event)\n"
        "            return\n",
    ),
    Mutant(
        "support_has_no_effect",
        "housing support does not lower the breakdown hazard",
        "hfsim/agents/support.py",
        "    return 1.0 - effect * case.intensity * fit",
        "    return 1.0",
    ),
    Mutant(
        "staffing_always_fixed",
        "support.staffing=demand still caps the teams at their fixed staff",
        "hfsim/agents/support.py",
        'fixed = model.cfg.support.staffing == "fixed"',
        "fixed = True",
    ),
    Mutant(
        "affordability_ignored",
        "allocation offers dwellings whatever their rent",
        "hfsim/allocation.py",
        "suits = (burden <= max_rent_burden) & ~(flex & benefit)",
        "suits = ~(flex & benefit)",
    ),
    Mutant(
        "flex_letting_ignored",
        "flexible letting does not exclude benefit recipients",
        "hfsim/allocation.py",
        "suits = (burden <= max_rent_burden) & ~(flex & benefit)",
        "suits = burden <= max_rent_burden",
    ),
    Mutant(
        "rent_burden_lowers_risk",
        "a higher rent burden lowers the arrears risk",
        "hfsim/processes/tenancies.py",
        "math.exp(cfg.rent_burden_slope * (tenancy.burden - 1.0))",
        "math.exp(-cfg.rent_burden_slope * (tenancy.burden - 1.0))",
    ),
    Mutant(
        "no_bed_release_on_move_in",
        "moving into a dwelling does not free the shelter bed",
        "hfsim/processes/tenancies.py",
        "    homelessness.release_places(model, citizen, tau)\n    citizen.spell_history",
        "    citizen.spell_history",
    ),
    Mutant(
        "lapses_unrecorded",
        "lapsed offers are not counted",
        "hfsim/processes/market.py",
        "            model.recorder.lapsed[muni.index] += 1\n",
        "",
    ),
    Mutant(
        "decline_not_quarantined",
        "a citizen who declines an offer stays on the list",
        "hfsim/processes/tenancies.py",
        "citizen.quarantined_until = model.now + cfg.decline_quarantine_weeks",
        "citizen.quarantined_until = model.now",
    ),
    Mutant(
        "shelter_users_uncounted_at_year_turn",
        "residents at a year's turn are not counted as the new year's users",
        "hfsim/results.py",
        "                    self._mark_user(citizen, year)\n",
        "                    pass\n",
    ),
    Mutant(
        "cti_never_starts_at_discharge",
        "CTI starts only at move-in (support.cti_discharge_share is ignored)",
        "hfsim/processes/support.py",
        'if citizen.chance("cti_discharge") >= model.cfg.support.cti_discharge_share or team.free <= 0:',
        "if True:",
    ),
    Mutant(
        "icm_holds_high_needs",
        "ICM fits high needs as well as ACT does",
        "hfsim/agents/support.py",
        'FITS = {"cti": {0, 1}, "icm": {1}, "act": {2}}',
        'FITS = {"cti": {0, 1}, "icm": {1, 2}, "act": {2}}',
    ),
    Mutant(
        "guarantee_calls_nothing",
        "a housing guarantee never calls on the agreed associations",
        "hfsim/processes/market.py",
        "    share = cfg.housing.guarantee_agreement_share\n    if share <= 0:",
        "    share = cfg.housing.guarantee_agreement_share\n    if True:",
    ),
    Mutant(
        "guarantee_clock_from_spell_start",
        "the guarantee's clock starts at the spell's start, not at the listing for housing",
        "hfsim/results.py",
        "            citizen.referred_at = tau\n",
        "            citizen.referred_at = citizen.spell_start\n",
    ),
    Mutant(
        "breakdown_skipped_before_review",
        "a breakdown due in the weeks before a review is not filed (the review finds it late)",
        "hfsim/processes/tenancies.py",
        "        if when <= tenancy.next_review:",
        "        if when <= tenancy.next_review - 8:",
    ),
    Mutant(
        "treatment_skipped_before_stay_end",
        "a treatment ending in the two weeks before the stay's planned end is not filed",
        "hfsim/processes/homelessness.py",
        "        if done < citizen.stay_ends:",
        "        if done < citizen.stay_ends - 2:",
    ),
)


def run_mutant(
    mutant: Mutant | None, tests_from: str | None, python: str, deselect: tuple[str, ...] = ()
) -> tuple[bool, float, list[str]]:
    """Apply one mutant (None: none) in a copy; True if the suite failed (mutant killed), the
    seconds it took and the tests that failed (without -x when there is no mutant)."""
    with tempfile.TemporaryDirectory(prefix="hfsim-mutant-") as tmp:
        work = Path(tmp)
        shutil.copytree(
            ROOT / "hfsim", work / "hfsim", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copytree(
            ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        if tests_from:
            shutil.rmtree(work / "tests")
            archive = subprocess.run(
                ["git", "archive", tests_from, "tests"], cwd=ROOT, check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        if mutant is not None:
            target = work / mutant.path
            text = target.read_text()
            if text.count(mutant.old) != 1:
                raise SystemExit(f"mutant {mutant.name}: snippet not found once in {mutant.path}")
            target.write_text(text.replace(mutant.old, mutant.new))
        suite = [t for t in SUITE if (work / t).exists()]
        start = time.perf_counter()
        stop = ["-x"] if mutant is not None else []
        skip = [f"--deselect={t}" for t in deselect]
        result = subprocess.run(
            [python, "-m", "pytest", *stop, "-q", "-rf", "-p", "no:cacheprovider", *skip, *suite],
            cwd=work,
            env={**os.environ, "PYTHONPATH": str(work)},
            capture_output=True,
            text=True,
        )
        lines = result.stdout.splitlines()
        # "FAILED <node id> - <message>"; node ids may hold spaces (parametrised ids)
        failed = [ln[len("FAILED ") :].split(" - ")[0] for ln in lines if ln.startswith("FAILED ")]
        return result.returncode != 0, time.perf_counter() - start, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests-from", help="run the tests of this git revision instead")
    parser.add_argument("--only", nargs="*", help="run only these mutants")
    parser.add_argument("--out", default="mutants.csv", help="where to write the table")
    args = parser.parse_args()
    python = sys.executable
    failed, _, broken = run_mutant(None, args.tests_from, python)
    if failed and not args.tests_from:
        print("the suite fails without any mutant: fix it first", file=sys.stderr)
        return 2
    if broken:  # older tests that no longer hold on today's code do not count
        print(f"left out, failing without a mutant: {', '.join(broken)}")
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    rows = []
    for m in chosen:
        killed, seconds, _ = run_mutant(m, args.tests_from, python, tuple(broken))
        rows.append((m.name, m.breaks, killed, round(seconds, 1)))
        print(f"{'killed  ' if killed else 'SURVIVED'} {m.name:38s} {seconds:6.1f} s  {m.breaks}")
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["mutant", "breaks", "killed", "seconds"])
        writer.writerows(rows)
    kills = sum(r[2] for r in rows)
    print(f"mutation score: {kills} of {len(rows)} killed ({kills / len(rows):.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
