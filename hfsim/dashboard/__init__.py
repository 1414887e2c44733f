"""The teaching dashboard behind ``hfsim app``: both policies side by side in the browser.

The package is split so that everything but the page runs without Solara:

* :mod:`hfsim.dashboard.lockstep`: the dashboard's settings (the levers students move) and
  :class:`~hfsim.dashboard.lockstep.Lockstep`, which steps one model per policy together on
  the same seed.
* :mod:`hfsim.dashboard.dwellings`: the spatial view's model, one cell per dwelling of every
  neighbourhood, coloured by who lives there.
* :mod:`hfsim.dashboard.views`: the figures (matplotlib, rendered to PNG).
* :mod:`hfsim.dashboard.page`: the Solara page (controls, Step, Play/Pause, Reset, views).
* :mod:`hfsim.dashboard.serve`: serves the page offline on 127.0.0.1 with uvicorn.
"""
