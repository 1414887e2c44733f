"""Serve the dashboard page offline on 127.0.0.1 with uvicorn (what ``hfsim app`` calls).

Everything that makes the page work without internet is set here, before Solara is imported
(Solara reads its settings from the environment at import time):

* ``SOLARA_ASSETS_PROXY=True``: the front-end (Vue, Vuetify, fonts, require.js) is served from
  ``/_solara/cdn``, backed by the files the ``solara-assets`` package installs. Solara turns
  the proxy off by itself when it sees VS Code's environment, so it is set explicitly.
* ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``: no telemetry requests at start and stop.
* ``SOLARA_MODE=production``: minified JavaScript, no auto-reload, no check-in iframe.
* ``SOLARA_KERNEL_CULL_TIMEOUT=60s``: a closed tab's session (and a Play thread in it) ends a
  minute after the tab disconnects, instead of after a day.

``HFSIM_DASH_NET_GUARD=log`` (or ``block``) reports (or refuses) every connection this process
tries to make to a host that is not loopback; the browser test uses it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import warnings
from collections.abc import Mapping
from typing import Any

OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_MODE": "production",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_KERNEL_CULL_TIMEOUT": "60s",
}
APP_MODULE = "hfsim.dashboard.page"
NET_GUARD_ENV = "HFSIM_DASH_NET_GUARD"
LOOPBACK_NAMES = ("localhost", "")
QUIET_LOGGERS = ("solara", "reacton", "uvicorn", "matplotlib", "PIL")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback."""
    if host is None or host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install_net_guard(mode: str) -> None:
    """Report (``log``) or refuse (``block``) connections to non-loopback hosts.

    Args:
        mode: ``log`` or ``block``.
    """

    def hook(event: str, args: tuple) -> None:
        if event == "socket.connect":
            address = args[1]
            if not isinstance(address, tuple) or not address:
                return  # a Unix socket
            host = address[0]
        elif event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
        else:
            return
        if not is_loopback(host):
            print(f"NET-GUARD: {event} to {host!r}", file=sys.stderr, flush=True)
            if mode == "block":
                raise OSError(f"NET-GUARD blocked {event} to {host!r}")

    sys.addaudithook(hook)


def check_port(host: str, port: int) -> None:
    """Raise OSError if ``host:port`` cannot be bound (in use, or not an address here)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def prepare(overrides: Mapping[str, Any] | None = None) -> None:
    """Set Solara's offline settings and the settings new sessions start from.

    Args:
        overrides: Config overrides for the dashboard's start settings.

    Raises:
        ConfigError: Bad overrides.
    """
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    os.environ["SOLARA_APP"] = APP_MODULE
    mode = os.environ.get(NET_GUARD_ENV, "")
    if mode in ("log", "block"):
        install_net_guard(mode)
    for name in QUIET_LOGGERS:  # Hydra's logging would record every render
        logging.getLogger(name).setLevel(logging.WARNING)
    # harmless on http://127.0.0.1: Solara falls back to samesite=lax for its cookie
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from hfsim.dashboard import page

    page.configure(overrides)


def run(
    port: int = 8765,
    host: str = "127.0.0.1",
    overrides: Mapping[str, Any] | None = None,
    log_level: str = "warning",
) -> None:
    """Serve the dashboard until Ctrl-C (SIGINT) or SIGTERM; blocks.

    Args:
        port: TCP port.
        host: Address to bind (loopback).
        overrides: Config overrides for the settings every session starts from.
        log_level: uvicorn's log level.

    Raises:
        ConfigError: Bad overrides.
    """
    prepare(overrides)
    import solara.server.settings  # noqa: F401  (reads the environment set above)
    import uvicorn

    # one worker: Solara keeps each session's state in this process's memory
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level=log_level, workers=1)
