"""Kaplan–Meier estimates on right-censored durations, built on :func:`scipy.stats.ecdf`.

A duration is followed until its event (a tenancy breaks down; a homelessness spell ends in
an own dwelling) or until it is censored (the tenancy or spell ended otherwise, or the
horizon ended first). Censored durations count in the risk set up to their censoring time,
so an estimate counts everyone followed, not only those whose event was seen. At a tied
time events come before censorings (the usual Kaplan–Meier convention, and scipy's).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def _survival_function(durations: np.ndarray, events: np.ndarray):
    """scipy's Kaplan–Meier survival function of the sample, or None if it is empty."""
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    if durations.shape != events.shape:
        raise ValueError(
            f"durations and events differ in shape: {durations.shape} vs {events.shape}"
        )
    if len(durations) == 0:
        return None
    data = stats.CensoredData(uncensored=durations[events], right=durations[~events])
    return stats.ecdf(data).sf


def survival_at(durations: np.ndarray, events: np.ndarray, at: float) -> float:
    """Kaplan–Meier probability that the event has not happened by time ``at``.

    Args:
        durations: Follow-up time of each subject.
        events: True (or 1) where the follow-up ended in the event, False if censored.
        at: The time to evaluate the survival function at (an event at ``at`` counts).

    Returns:
        S(at), or NaN for an empty sample.
    """
    sf = _survival_function(durations, events)
    return math.nan if sf is None else float(sf.evaluate(at))


def event_within(durations: np.ndarray, events: np.ndarray, at: float) -> float:
    """Kaplan–Meier probability that the event has happened by time ``at`` (1 - S(at))."""
    return 1.0 - survival_at(durations, events, at)


def median_time(durations: np.ndarray, events: np.ndarray) -> float:
    """Kaplan–Meier median: the first time at which S(t) is at most 0.5.

    Returns:
        The median, or NaN when the sample is empty or S(t) stays above 0.5 over the
        follow-up (the median is not reached).
    """
    sf = _survival_function(durations, events)
    if sf is None:
        return math.nan
    reached = np.flatnonzero(sf.probabilities <= 0.5)
    return float(sf.quantiles[reached[0]]) if len(reached) else math.nan
