"""Bargaining models, each in its own module and registered by name.

>>> from accord.models import registry
>>> list(registry())[:3]
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
BASELINES = ("compromise", "median", "nash")  # listed first, then the other models by module name


def load_all() -> None:
    """Import every model module of this package and of installed plug-ins (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name != "base" and not m.name.startswith("_")]
    for name in sorted(names, key=lambda n: (n not in BASELINES, BASELINES.index(n) if n in BASELINES else 0, n)):
        importlib.import_module(f"{__name__}.{name}")
    for ep in entry_points(group="accord.models"):
        ep.load()


__all__ = ["Model", "Result", "register", "registry", "get_model", "load_all"]
