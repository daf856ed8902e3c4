"""accord: model and forecast multi-party negotiations.

>>> import accord
>>> scenario = accord.read_scenario("scenarios/korea-2018.yaml").scenario   # doctest: +SKIP
>>> accord.get_model("mean")().run(scenario).forecast_frame()               # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("accord")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0+unknown"

from .errors import AccordError, InputError, Problem  # noqa: E402
from .io import from_arrays, read_scenario, write_scenario  # noqa: E402
from .models import Model, Result, get_model, register, registry  # noqa: E402
from .scenario import Scenario  # noqa: E402
from .advice import advise  # noqa: E402  (an analysis: what an actor has at stake and can do)

__all__ = ["__version__", "AccordError", "InputError", "Problem", "read_scenario", "write_scenario", "from_arrays",
           "Scenario",
           "Model", "Result", "get_model", "register", "registry", "advise"]
