"""accord: model and forecast multi-party negotiations.

>>> import accord
>>> scenario = accord.read_scenario("scenarios/korea-2018.yaml").scenario   # doctest: +SKIP
>>> accord.get_model("mean")().run(scenario).forecast_frame()               # doctest: +SKIP

The functions for notebooks (:mod:`accord.api`: ``forecast``, ``monte_carlo``, ``roles``,
``bottom_line``; ``advise`` where installed) are loaded when first used, so that ``import
accord`` stays cheap.
"""

import importlib
import sys
import types
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("accord")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0+unknown"

from .errors import AccordError, InputError, Problem  # noqa: E402
from .io import from_arrays, read_scenario, write_scenario  # noqa: E402
from .models import Model, Result, get_model, register, registry  # noqa: E402
from .scenario import Scenario  # noqa: E402

#: Loaded on first use, from accord.api.
_API = ("forecast", "monte_carlo", "roles", "bottom_line", "Forecast", "MonteCarlo", "BottomLine")

__all__ = ["__version__", "AccordError", "InputError", "Problem", "read_scenario", "write_scenario", "from_arrays",
           "Scenario",
           "Model", "Result", "get_model", "register", "registry", *_API, "advise"]


def __getattr__(name: str):
    if name == "advise":  # reached when the property below finds no advice module: say so
        return _advise()
    if name not in _API:
        raise AttributeError(f"module 'accord' has no attribute {name!r}")
    # Imported by name, on first use: the modules that import the package (for its version) do not
    # depend on the analyses above them.
    value = getattr(importlib.import_module(f"{__name__}.api"), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def _advise():
    """accord.advise: the function ``advise`` of the advice module (``accord.advice``, or ``accord.advise``)."""
    problems = []
    for module in ("advice", "advise"):
        try:
            return importlib.import_module(f"{__name__}.{module}").advise
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":  # the module is there but fails: say why
                raise
            problems.append(str(exc))
    raise AttributeError("accord.advise is not available: this installation of accord has no advice module "
                         f"({'; '.join(problems)})")


class _Accord(types.ModuleType):
    """The package: ``accord.roles`` and ``accord.advise`` are the functions, though modules of the same
    names exist (importing such a module sets it as an attribute of the package; that is set aside, and
    ``from accord.roles import measure`` works as ever)."""

    roles = property(lambda self: __getattr__("roles"), lambda self, module: None)
    advise = property(lambda self: _advise(), lambda self, module: None)


sys.modules[__name__].__class__ = _Accord


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
