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


def _cmd_municipalities(cfg, outdir) -> int:  # noqa: ANN001 - the Command signature
    """``hfsim municipalities``: every municipality and region preset of the national table."""
    from hfsim.municipalities import listing

    print(listing())
    return 0


_cli = importlib.import_module("hfsim.cli")
_cli.register(
    "municipalities",
    _cli.Command(
        "list the 98 municipalities and 5 regions that `municipality=<slug>` accepts",
        _cmd_municipalities,
        examples=("hfsim municipalities", "hfsim compare municipality=kolding"),
        hydra=False,
    ),
)
