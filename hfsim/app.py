"""``hfsim app``: the teaching dashboard in the browser, on http://127.0.0.1:8765 by default.

The command serves :mod:`hfsim.dashboard` on ``app.host`` (loopback) and ``app.port`` until
Ctrl-C. It works with no internet: Solara's front-end comes from the ``solara-assets``
package (install the ``app`` extra). Other overrides on the command line set where every
browser session starts (``hfsim app municipality=aarhus seed=3``); overrides of keys that the
dashboard has no control for (``tenancy.support_effect=0.5``) apply to every run in it.
The dashboard adds nothing to the output directory (Hydra writes its own files there). See
docs/teaching.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hfsim.cli import UsageError, current_overrides, parse_cli_overrides
from hfsim.config import Config

REQUIRED = ("solara", "uvicorn", "reacton", "ipyvuetify")


def missing_packages() -> list[str]:
    """The dashboard's packages that cannot be imported (empty when the app extra is in)."""
    import importlib.util

    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def dashboard_overrides() -> dict:
    """The command line's overrides for the dashboard's start settings (``app.*`` removed)."""
    values, _ = parse_cli_overrides(current_overrides(), sweep_allowed=False)
    return {k: v for k, v in values.items() if k != "app" and not k.startswith("app.")}


def run_app(cfg: Config, outdir: Path) -> int:
    """Serve the dashboard on ``cfg.app.host:cfg.app.port`` until Ctrl-C.

    Args:
        cfg: The validated config (``app.host``, ``app.port``).
        outdir: Hydra's run directory (unused: the dashboard writes nothing).

    Returns:
        0 after Ctrl-C, 1 when the dashboard's packages are missing.

    Raises:
        UsageError: The port cannot be used.
        ConfigError: A municipality the dashboard cannot draw.
    """
    missing = missing_packages()
    if missing:
        print(
            f"hfsim app: error: the dashboard needs {', '.join(missing)}; install the app "
            "extra: pip install 'hfsim[app]'",
            file=sys.stderr,
        )
        return 1
    from hfsim.dashboard import serve
    from hfsim.dashboard.lockstep import Settings

    overrides = dashboard_overrides()
    Settings.from_overrides(overrides)  # refuses a municipality the dashboard cannot draw
    host, port = cfg.app.host, cfg.app.port
    try:
        serve.check_port(host, port)
    except OSError as err:
        raise UsageError(
            f"app.port={port}: cannot listen on {host}:{port} ({err.strerror or err}); "
            "choose a free port between 1024 and 65535, e.g. app.port=8800"
        ) from None
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    print(f"hfsim app: the dashboard is at {url} (Ctrl-C to stop)", flush=True)
    serve.run(port=port, host=host, overrides=overrides)
    print("hfsim app: stopped", flush=True)
    return 0
