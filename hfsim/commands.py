"""The modules that add subcommands to ``hfsim`` (each calls :func:`hfsim.cli.register`).

``hfsim run`` lives in :mod:`hfsim.cli` itself; importing this module registers the rest.
"""

import importlib

COMMAND_MODULES = (
    "hfsim.compare",
    "hfsim.sweep",
    "hfsim.sensitivity",
    "hfsim.calibrate",
    "hfsim.validate",
    "hfsim.app",
    "hfsim.bench",
)

for _module in COMMAND_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as _err:  # a command whose module is not there yet
        if _err.name != _module:
            raise
