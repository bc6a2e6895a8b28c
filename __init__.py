"""nnplayground: a neural-network playground on localhost.

The checkout's top-level folders install as this one package: ``nnplayground.engine`` (the numerics),
``nnplayground.server`` (sessions, protocol, CLI), and the page's ``static/`` and ``templates/`` as package data,
found through :func:`resource` so that an installed wheel serves them from any working directory.
"""
from importlib.resources import files
from pathlib import Path

__version__ = "0.1.0"


def resource(*parts: str) -> Path:
    """The path of a file or folder shipped inside the package, e.g. ``resource("static")``."""
    return Path(str(files(__name__).joinpath(*parts)))
