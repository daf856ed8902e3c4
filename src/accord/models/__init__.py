"""Bargaining models, each in its own module and registered by name.

>>> from accord.models import registry
>>> sorted(registry())[:3]
['mean', 'median', 'nash']

A module in this package that defines a class decorated with :func:`register` is found and
loaded automatically; other packages add models through the entry-point group
``accord.models``.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from .base import Model, Result, get_model, register, registry

_loaded = False


def load_all() -> None:
    """Import every model module of this package and of installed plug-ins (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    for ep in entry_points(group="accord.models"):
        ep.load()


__all__ = ["Model", "Result", "register", "registry", "get_model", "load_all"]
