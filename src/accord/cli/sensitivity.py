"""``accord sensitivity``: which inputs move each forecast, and forecasts locked on one actor."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..models.base import records
from ..render import sensitivity_report
from ..runner import dumps
from ..sensitivity import sobol, tornado
from ..uncertainty import overrides
from ..execution import progress_bar
from . import (FileArg, FormatOpt, JsonOpt, ParamOpt, QuietOpt, SchedulerOpt, WorkersOpt, app, err, guarded, load,
               model_from, out)


@app.command()
@guarded
def sensitivity(
    file: FileArg = None,
    model: Annotated[str, typer.Option("--model", "-m", help="model to examine")] = "mean",
    param: ParamOpt = None,
    top: Annotated[int, typer.Option(help="inputs shown per issue")] = 8,
    seed: Annotated[int, typer.Option(help="seed of the draws that set each input's low and high")] = 0,
    sobol_n: Annotated[int, typer.Option(
        "--sobol", help="also Sobol indices with this base sample size (a power of 2; needs SALib)")] = 0,
    inputs: Annotated[int, typer.Option(help="with --sobol: the inputs of largest swing to vary")] = 8,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    quiet: QuietOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """Which inputs move each issue's forecast (a one-at-a-time tornado, Sobol indices), and locked forecasts."""
    scenario = load(file, fmt).scenario
    instance = model_from(model, param)
    run = {"workers": workers, "scheduler": scheduler}
    with progress_bar(1, "tornado runs", quiet or as_json) as advance:
        result = tornado(instance, scenario, seed, progress=advance, **run)
    with progress_bar(1, "Sobol runs", quiet or as_json or not sobol_n) as advance:
        indices = sobol(instance, scenario, result, sobol_n, inputs, seed, progress=advance, **run) if sobol_n else None
    what_ifs = overrides(scenario)  # inputs set over their claims: their quantiles are of the shifted claims
    if as_json:
        sys.stdout.write(dumps({"scenario": {"name": scenario.name, "sha256": scenario.sha256}, "model": model,
                                "params": instance.get_params(), "seed": seed, "swings": records(result.swings),
                                "locked": records(result.locked),
                                **({"overrides": what_ifs} if what_ifs else {}),
                                **({"sobol": records(indices)} if indices is not None else {})}) + "\n")
        return
    sensitivity_report(out, err, scenario, model, result, what_ifs, top, indices, sobol_n, inputs)
