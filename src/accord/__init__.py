"""accord: model and forecast multi-party negotiations.

>>> import accord
>>> scenario = accord.read_scenario("scenarios/korea-2018.yaml").scenario   # doctest: +SKIP
>>> accord.get_model("mean")().run(scenario).forecast_frame()               # doctest: +SKIP

The names below are imported on first use (PEP 562), so that ``import accord`` and
``accord --help`` cost no more than what they use: the readers, the models and pandas are
loaded by the first command that needs them. The functions for notebooks (:mod:`accord.api`:
``forecast``, ``monte_carlo``, ``roles``, ``bottom_line``; and :func:`accord.advice.advise`)
are loaded the same way.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import AccordError, InputError, Problem
    from .io import from_arrays, read_scenario, write_scenario
    from .models import Model, Result, get_model, register, registry
    from .scenario import Scenario

_WHERE = {"AccordError": "errors", "InputError": "errors", "Problem": "errors",
          "read_scenario": "io", "write_scenario": "io", "from_arrays": "io",
          "Scenario": "scenario",
          "Model": "models", "Result": "models", "get_model": "models", "register": "models", "registry": "models",
          "advise": "advice"}
#: From accord.api.
_API = ("forecast", "monte_carlo", "roles", "bottom_line", "Forecast", "MonteCarlo", "BottomLine")
_WHERE.update(dict.fromkeys(_API, "api"))


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("accord")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
            value = "0+unknown"
    elif name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in ("roles", "advise"):
        globals()[name] = value  # once
    return value


class _Accord(types.ModuleType):
    """The package: ``accord.roles`` and ``accord.advise`` are the functions, though modules of those
    names exist (importing such a module sets it as an attribute of the package; that is set aside,
    and ``from accord.roles import measure`` works as ever)."""

    roles = property(lambda self: __getattr__("roles"), lambda self, module: None)
    advise = property(lambda self: __getattr__("advise"), lambda self, module: None)


sys.modules[__name__].__class__ = _Accord


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = ["__version__", "AccordError", "InputError", "Problem", "read_scenario", "write_scenario", "from_arrays",
           "Scenario",
           "Model", "Result", "get_model", "register", "registry", *_API, "advise"]
