"""Bargaining models, each in its own module and registered by name.

>>> from accord.models import registry
>>> list(registry())[:3]
['mean', 'median', 'nash']

A module in this package that defines a class decorated with :func:`register` is found and
loaded automatically; other packages add models through the entry-point group
``accord.models``. A plug-in that fails to load (its module missing, an error on import, a
name already taken) is skipped with a :class:`PluginWarning` naming its entry point and
distribution; every other model is registered.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
import warnings
from importlib.metadata import EntryPoint, entry_points

from .base import (INTERACTION_COLUMNS, Model, Result, applicable, get_model, interactions, register, registered,
                   registry)

_loaded = False  # every model module imported
_loading = threading.RLock()  # held while they are: another thread waits, the importing one re-enters
_importing = False
BASELINES = ("compromise", "median", "nash")  # listed first, then the other models by module name


def load_all() -> None:
    """Import every model module of this package and of installed plug-ins (once). A thread that
    asks while another imports them waits until all are registered (a server's first requests
    and its warm-up ask at once); a module that asks while it is imported gets those so far."""
    global _loaded, _importing
    if _loaded:
        return
    with _loading:
        if _loaded or _importing:
            return
        _importing = True
        try:
            names = [m.name for m in pkgutil.iter_modules(__path__) if m.name != "base" and not m.name.startswith("_")]
            for name in sorted(names, key=lambda n: (n not in BASELINES, BASELINES.index(n) if n in BASELINES else 0,
                                                     n)):
                importlib.import_module(f"{__name__}.{name}")
            for ep in entry_points(group="accord.models"):
                _load_plugin(ep)
        finally:
            _importing = False
        _loaded = True


class PluginWarning(UserWarning):
    """A model plug-in's entry point could not be loaded; the other models are registered."""


def _load_plugin(ep: EntryPoint) -> None:
    """Load one entry point; if it fails, warn and go on: one broken plug-in must not take the
    other models, or every command, down with it."""
    try:
        ep.load()
    except Exception as exc:  # any failure of third-party code on import
        dist = f"distribution {ep.dist.name!r}" if ep.dist else "an unknown distribution"
        warnings.warn(f"model plug-in {ep.name!r} of {dist} not loaded ({ep.value}): "
                      f"{type(exc).__name__}: {exc}", PluginWarning, stacklevel=2)


__all__ = ["INTERACTION_COLUMNS", "Model", "PluginWarning", "Result", "applicable", "get_model", "interactions",
           "load_all", "register", "registered", "registry"]
