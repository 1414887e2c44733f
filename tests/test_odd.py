"""``docs/odd.md``: every ODD element is there and the generated sections are current."""

from __future__ import annotations

import pytest

from hfsim import odd

HEADINGS = (
    "## 1. Purpose and patterns",
    "## 2. Entities, state variables and scales",
    "## 3. Process overview and scheduling",
    "## 4. Design concepts",
    "## 5. Initialisation",
    "## 6. Input data",
    "## 7. Submodels",
)
CONCEPTS = (
    "Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
    "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation",
)  # fmt: skip


def test_every_odd_section_is_there():
    text = odd.ODD_PATH.read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert heading in text, heading
    for concept in CONCEPTS:
        assert f"**{concept}.**" in text, concept


def test_generated_sections_are_up_to_date():
    assert odd.stale_sections() == [], "run `python -m hfsim.odd` to regenerate docs/odd.md"


def test_generated_tables_follow_the_code():
    from hfsim.model import STEP_ORDER

    schedule = odd.schedule_section()
    for name, _ in STEP_ORDER:
        assert f"`{name}`" in schedule
    params = odd.parameters_section()
    assert "`tenancy.support_effect`" in params and "`shelter.capacity`" in params
    assert "`support.cti.staff`" in params


def test_render_needs_every_marker():
    with pytest.raises(ValueError, match="no markers"):
        odd.render("# nothing here\n")
