"""The processes of one week, each in its own module (the order is in :mod:`hfsim.model`)."""
