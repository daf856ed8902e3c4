"""accord: model and forecast multi-party negotiations.

>>> import accord
>>> scenario = accord.read_scenario("scenarios/korea-2018.yaml").scenario   # doctest: +SKIP
>>> accord.get_model("mean")().run(scenario).forecast_frame()               # doctest: +SKIP

The names below are imported on first use (PEP 562), so that ``import accord`` and
``accord --help`` cost no more than what they use: the readers, the models and pandas are
loaded by the first command that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import AccordError, InputError, Problem
    from .io import from_arrays, read_scenario, write_scenario
    from .models import Model, Result, get_model, register, registry
    from .scenario import Scenario

_WHERE = {"AccordError": "errors", "InputError": "errors", "Problem": "errors",
          "read_scenario": "io", "write_scenario": "io", "from_arrays": "io",
          "Scenario": "scenario",
          "Model": "models", "Result": "models", "get_model": "models", "register": "models", "registry": "models"}


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
    globals()[name] = value  # once
    return value


__all__ = ["__version__", "AccordError", "InputError", "Problem", "read_scenario", "write_scenario", "from_arrays",
           "Scenario",
           "Model", "Result", "get_model", "register", "registry"]
