"""The ``accord`` command line: parses options, calls the library, prints.

Every command that reads a scenario takes ``--format``; problems with inputs are printed as
``file:line: field: what is wrong`` to standard error with exit status 2.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shlex
import sys
import warnings
from contextlib import ExitStack
from enum import Enum
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .checks import find_text
from .errors import AccordError, InputError, Problem
from .io import FORMATS, Loaded, atomic_write, read_scenario, write_scenario
from .ledger import DEFAULT_PATH as LEDGER_PATH
from .models import registry
from .render import print_forecast, print_problems
from .runner import add_uncertainty, document, dumps, parse_params, record, run_chosen, run_models
from .scenario import Scenario
from .store import DEFAULT_PATH, RunStore
from .views import draws_of

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Model and forecast multi-party negotiations.")
runs_app = typer.Typer(no_args_is_help=True, help="Browse and export the recorded runs.")
app.add_typer(runs_app, name="runs")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one problem per line, whatever its length
for _console in (out, err):
    if not _console.is_terminal:  # piped or captured: wide lines rather than folded tables
        _console.width = max(_console.width, 120)

Format = Enum("Format", {f: f for f in FORMATS}, type=str)  # type: ignore[misc]
DEFAULT_SCENARIO = "korea-2018"

FileArg = Annotated[Optional[str], typer.Argument(
    help=f"scenario file (YAML, table CSV/XLSX, KTAB CSV/XML, decide); default: the bundled {DEFAULT_SCENARIO} "
         "scenario", show_default=False)]
FormatOpt = Annotated[Optional[Format], typer.Option("--format", "-f", help="the file's format (default: detected)")]
TextsOpt = Annotated[Optional[list[Path]], typer.Option(
    "--texts", help="folder holding sources' full texts, to check quotes verbatim (repeatable)")]
StoreOpt = Annotated[Path, typer.Option("--store", help="run store file")]
ParamOpt = Annotated[Optional[list[str]], typer.Option(
    "--param", "-p", help="model parameter key=value, or model.key=value (repeatable)")]
SeedOpt = Annotated[int, typer.Option(help="seed of every random choice; equal seeds give equal results")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the JSON document instead of tables")]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="do not record the runs")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")]


def guarded(fn):
    """Report accord's errors as messages with exit status 2, never as tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            print_problems(err, exc.problems, "cannot use this input:")
            raise typer.Exit(2) from None
        except AccordError as exc:
            err.print(f"[bold red]error:[/bold red] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def bundled(name: str) -> Path:
    return Path(str(files("accord") / "scenarios" / f"{name}.yaml"))


def load(file: str | None, fmt: Format | None, texts: list[Path] | None = None) -> Loaded:
    path = Path(file) if file else bundled(DEFAULT_SCENARIO)
    if file and not path.exists() and bundled(file).is_file():
        path = bundled(file)
    loaded = read_scenario(path, fmt.value if fmt else None, texts=texts or ())
    if loaded.warnings:
        print_problems(err, loaded.warnings)
    return loaded


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in ["accord", *sys.argv[1:]])


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="print the version and exit")] = False) -> None:
    if version:
        out.print(f"accord {__version__}")
        raise typer.Exit()


@app.command()
@guarded
def forecast(
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to run (repeatable; default: every model that can take the scenario)")] = None,
    param: ParamOpt = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo: draw this many scenarios from the evidence")] = 0,
    correlate: Annotated[str, typer.Option(
        help="with --samples: none, or source (each sample one source's reading where it has one)")] = "none",
    workers: Annotated[int, typer.Option(min=1, help="with --samples: local worker processes")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(
        help="with --samples: address of a Dask scheduler to run the batches on")] = None,
    quiet: QuietOpt = False,
    batch_size: Annotated[int, typer.Option(
        min=1, help="with --samples: samples per batch (part of what the draws are)")] = 1000,
    fmt: FormatOpt = None,
    texts: TextsOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Forecast each issue of a scenario under one or more models, and record the runs."""
    from .errors import UsageError

    if correlate not in ("none", "source"):
        raise UsageError(f"--correlate {correlate!r}: choose none or source")
    loaded = load(file, fmt, texts)
    names = model or list(registry())
    params = parse_params(names, param or [])
    run_store = None if no_store else RunStore(store)
    if run_store is not None:
        run_store.require_writable("; give --no-store, or --store with a writable file")  # before the models run
    results, skipped = run_chosen(loaded.scenario, model, params, seed)
    if not results:  # a forecast of nothing is no success
        raise UsageError("no model can forecast this scenario:\n" + "\n".join(s["reason"] for s in skipped))
    for s in skipped:
        err.print(f"[yellow]note:[/yellow] {escape(s['reason'])}; skipped")
    with ExitStack() as held:
        sweep_id = None
        if samples:
            spec = {"models": [r.model for r in results], "params": {r.model: r.params for r in results},
                    "seed": seed, "samples": samples, "correlate": correlate, "batch": batch_size, "skipped": skipped}
            if run_store is not None:
                sweep_id = _begin_sweep(run_store, loaded.scenario, spec, held)
            _sweep(run_store, loaded.scenario, results, spec, workers, scheduler, quiet, {}, sweep_id)
        doc = record(loaded.scenario, results, run_store, command_line(), skipped)
        if sweep_id:
            run_store.finish_sweep(sweep_id, [r["run_id"] for r in doc["runs"]])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        print_forecast(out, loaded.scenario, doc, None if no_store else str(store), draws_of(results))


@app.command()
@guarded
def explain(
    file: FileArg = None,
    model: Annotated[str, typer.Option("--model", "-m", help="model whose run to tell")] = "eum",
    param: ParamOpt = None,
    issue: Annotated[Optional[list[str]], typer.Option("--issue", "-i", help="only these issues (repeatable)")] = None,
    seed: SeedOpt = 0,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Tell a model's run as a story: round by round, who moves toward whom, and why the forecast moves."""
    from .errors import UsageError
    from .models import get_model

    loaded = load(file, fmt)
    scenario = loaded.scenario
    unknown = [i for i in issue or [] if i not in scenario.issue_ids]
    if unknown:
        raise UsageError(f"unknown issue {', '.join(unknown)}; the scenario's issues: {', '.join(scenario.issue_ids)}")
    instance = get_model(model)(**parse_params([model], param or [])[model])
    result = instance.run(scenario, seed=seed)
    doc = record(scenario, [result], None if no_store else RunStore(store), command_line())
    params = ", ".join(f"{k}={v}" for k, v in result.params.items() if v is not None)
    out.print(f"[bold]{escape(scenario.name)}[/bold] under [bold]{model}[/bold] ({escape(params)})"
              + (f"  [dim]run {doc['runs'][0]['run_id']}[/dim]" if doc["runs"][0]["run_id"] else ""))
    for chapter in instance.story(result, scenario):
        if issue and chapter.issue not in issue:
            continue
        out.print(f"\n[bold]{escape(chapter.title)}[/bold]")
        for rnd, lines in chapter.rounds:
            for k, line in enumerate(lines):
                out.print(f"  {'Round ' + str(rnd) if k == 0 else '':<9}{escape(line)}")
        out.print(f"  [bold]{escape(chapter.ending)}[/bold]")


@app.command()
@guarded
def perspectives(
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model (repeatable; default: all)")] = None,
    param: ParamOpt = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    threshold: Annotated[float, typer.Option(help="a gap between readings worth reporting, in scale points")] = 10.0,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """The forecast under each source's own reading, side by side, and where the readings diverge."""
    from .perspectives import CONSENSUS
    from .perspectives import perspectives as compute

    loaded = load(file, fmt)
    scenario = loaded.scenario
    names = model or list(registry())
    result = compute(scenario, model, parse_params(names, param or []), seed)
    run_store = None if no_store else RunStore(store)
    ids = {}
    for name, sc, results in result.runs:
        doc = record(sc, results, run_store, command_line())
        ids[name] = [r["run_id"] for r in doc["runs"]]
    if as_json:
        sys.stdout.write(dumps({"scenario": {"name": scenario.name, "sha256": scenario.sha256},
                                **result.to_json(), "run_ids": ids}) + "\n")
        return
    readings = list(dict.fromkeys(result.forecasts["reading"]))
    out.print(f"[bold]{escape(scenario.name)}[/bold]: the forecast if each source is right "
              f"(its own values where it states them, the consensus elsewhere)")
    out.print("claims per source: " + ", ".join(f"{k} {v}" for k, v in result.claims.items()))
    for issue in scenario.issues:
        table = Table(box=None, header_style="bold", title=escape(issue.label or issue.id), title_justify="left")
        table.add_column("model")
        for r in readings:
            table.add_column(r, justify="right")
        table.add_column("spread", justify="right")
        part = result.forecasts[result.forecasts["issue"] == issue.id]
        for m in dict.fromkeys(part["model"]):
            values = part[part["model"] == m].set_index("reading")["value"]
            cells = [f"{values[r]:.1f}" if r in values else "—" for r in readings]
            table.add_row(m, *cells, f"{values.max() - values.min():.1f}")
        out.print(table)
    spread = result.spread()
    wide = spread[spread["spread"] > threshold]
    if len(wide):
        issues = list(dict.fromkeys(wide["issue"]))
        out.print(f"\n[bold]The readings lead to forecasts more than {threshold:g} points apart on {len(issues)} "
                  f"of {len(scenario.issues)} issues[/bold] ({', '.join(issues)}):")
        for row in wide.head(8).itertuples(index=False):
            out.print(f"  {row.issue} under {row.model}: {row.spread:.1f} points, from {row.lowest} to {row.highest}")
    else:
        out.print(f"\n[bold]No two readings lead to forecasts more than {threshold:g} points apart[/bold] "
                  "under these models: the forecast does not hinge on which source is right.")
    if len(result.inputs):
        out.print("\nInputs on which the sources depart most from the consensus:")
        for row in result.inputs.head(8).itertuples(index=False):
            where = f" on {row.issue}" if row.issue else ""
            out.print(f"  {row.reading}: {row.actor}'s {row.what}{where} {row.value:.3g} "
                      f"(consensus {row.consensus:.3g})")
    if CONSENSUS in ids and ids[CONSENSUS] and ids[CONSENSUS][0]:
        out.print(f"[dim]runs recorded in {store}[/dim]")


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
) -> None:
    """Which inputs move each issue's forecast (a one-at-a-time tornado, Sobol indices), and locked forecasts."""
    from .models import get_model
    from .models.base import records
    from .sensitivity import sobol, tornado
    from .uncertainty import overrides, what_if

    scenario = load(file, fmt).scenario
    instance = get_model(model)(**parse_params([model], param or [])[model])
    result = tornado(instance, scenario, seed)
    indices = sobol(instance, scenario, result, sobol_n, inputs, seed) if sobol_n else None
    what_ifs = overrides(scenario)  # inputs set over their claims: their quantiles are of the shifted claims
    if as_json:
        sys.stdout.write(dumps({"scenario": {"name": scenario.name, "sha256": scenario.sha256}, "model": model,
                                "params": instance.get_params(), "seed": seed, "swings": records(result.swings),
                                "locked": records(result.locked),
                                **({"overrides": what_ifs} if what_ifs else {}),
                                **({"sobol": records(indices)} if indices is not None else {})}) + "\n")
        return
    out.print(f"[bold]{escape(scenario.name)}[/bold] under [bold]{model}[/bold]: each input moved alone from the "
              "5% to the 95% quantile of its evidence")
    for row in what_ifs:
        out.print(f"[yellow]what-if:[/yellow] {escape(what_if(row))}")
    for issue in scenario.issues:
        part = result.top(issue.id, top)
        table = Table(box=None, header_style="bold", title=escape(issue.label or issue.id), title_justify="left")
        for name in ("input", "low → high", "forecast", "swing", ""):
            table.add_column(name, justify="right" if name in ("swing",) else "left")
        widest = max(part["swing"].max(), 1e-12)
        for row in part.itertuples(index=False):
            bar = "█" * int(round(20 * row.swing / widest)) if row.swing > 0 else ""
            table.add_row(escape(row.input), f"{row.low:.3g} → {row.high:.3g}",
                          f"{row.forecast_low:.1f} → {row.forecast_high:.1f}", f"{row.swing:.2f}", bar)
        out.print(table)
    if indices is not None and len(indices):
        out.print(f"\nSobol indices (first order S1, total ST; ± 95% bootstrap) over the {inputs} inputs of largest "
                  f"swing, {sobol_n} base samples:")
        for issue in scenario.issues:
            part = indices[indices["issue"] == issue.id].sort_values("ST", ascending=False).head(4)
            cells = "; ".join(f"{r.input} S1 {r.S1:.2f}±{r.S1_conf:.2f} ST {r.ST:.2f}±{r.ST_conf:.2f}"
                              for r in part.itertuples(index=False))
            out.print(f"  {escape(issue.id)}: {escape(cells)}")
    for row in result.locked.itertuples(index=False):
        err.print(f"[yellow]warning:[/yellow] the {model} forecast of {row.issue} is locked on {row.actor}'s position "
                  f"{row.position:g}: almost no other input moves it, so small swings here are not robustness")


@app.command()
@guarded
def roles(
    file: FileArg = None,
    model: Annotated[str, typer.Option(
        "--model", "-m", help="model whose runs the roles are measured on")] = "influence",
    param: ParamOpt = None,
    samples: Annotated[int, typer.Option(
        min=0, help="Monte Carlo samples of the evidence for the confidence (0: none)")] = 100,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Who pivots, brokers, spoils, enables, follows, holds out or stands alone, on which issue,
    how surely, and why; beside the roles the scenario's sources assert."""
    from . import __version__
    from .execution import progress_bar
    from .models import get_model
    from .role_analysis import analyse

    scenario = load(file, fmt).scenario
    instance = get_model(model)(**parse_params([model], param or [])[model])
    with progress_bar(samples, f"{samples:,} samples x {len(scenario.actors) + 1} runs", quiet or as_json) as advance:
        result = analyse(scenario, instance, samples, seed, progress=advance)
    doc = record(scenario, [result.measures.run], None if no_store else RunStore(store), command_line())
    body = result.to_json() | {"run_id": doc["runs"][0]["run_id"], "version": __version__}
    if as_json:
        sys.stdout.write(dumps(body) + "\n")
        return
    from .render import roles_report

    roles_report(out, scenario, result, body["run_id"])


@app.command()
@guarded
def backtest(
    file: Annotated[Path, typer.Argument(help="file of negotiations with known outcomes (DEU issue table)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="the file's format: deu")] = "deu",
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to score (repeatable; default: every registered model)")] = None,
    param: ParamOpt = None,
    capabilities: Annotated[str, typer.Option(
        help="capabilities: equal, council (Council votes by treaty period) or procedure (council; the "
             "Parliament left out under consultation)")] = "council",
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo samples per issue, to score the models' 50%/80% intervals")] = 0,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Score models against recorded outcomes: MAE and more, each against the compromise model."""
    from .backtest import backtest as run_backtest
    from .errors import UsageError
    from .io.deu import read_deu

    if fmt != "deu":
        raise UsageError(f"--format {fmt!r}: backtests read DEU issue tables (--format deu)")
    data = read_deu(file, capabilities)
    if data.warnings:
        print_problems(err, data.warnings)
    names = model or list(registry())
    params = parse_params(names, param or [])
    if quiet or as_json or not err.is_terminal:
        doc = run_backtest(data, names, params, seed, samples)
    else:
        with err.status("scoring ...") as status:
            doc = run_backtest(data, names, params, seed, samples,
                               progress=lambda name: status.update(f"scoring {name} ..."))
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        from .render import backtest_report

        backtest_report(out, doc)


LedgerOpt = Annotated[Path, typer.Option("--ledger", help="ledger file")]


@app.command()
@guarded
def seal(run_id: Annotated[str, typer.Argument(help="run id (a unique prefix, or `latest`), from `accord runs list`")],
         store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Seal a recorded forecast before its outcome is known: append its hashes to the ledger."""
    from .ledger import seal as seal_run

    rec, restored = seal_run(run_id, RunStore(store), ledger)
    _restored_note(restored, ledger)
    out.print(f"sealed run {rec['run_id']} as record {rec['seq']} of {ledger}: inputs {rec['inputs_sha256'][:12]}, "
              f"forecast {rec['result_sha256'][:12]}, record hash {rec['hash'][:12]}")


@app.command()
@guarded
def grade(run_id: Annotated[str, typer.Argument(help="a sealed run's id (or a unique prefix, or `latest`)")],
          outcome: Annotated[list[str], typer.Option(
              "--outcome", "-o", help="ISSUE=VALUE: the recorded outcome of an issue (repeatable)")],
          store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Record the outcomes of a sealed forecast and its errors in the ledger."""
    from .ledger import grade as grade_run

    rec, restored = grade_run(run_id, outcome, RunStore(store), ledger)
    _restored_note(restored, ledger)
    for issue, value in rec["outcome"].items():
        error = rec["error"][issue]
        out.print(f"{issue}: outcome {value:g}, absolute error {'—' if error is None else f'{error:.2f}'}")
    out.print(f"graded run {rec['run_id']} as record {rec['seq']} of {ledger}")


def _restored_note(restored: int, ledger: Path) -> None:
    if restored:
        err.print(f"[yellow]note:[/yellow] {restored} record{'s' * (restored != 1)} missing at the end of {ledger} "
                  "(removed, or a write cut short) written back from the run store's anchor")


@app.command()
@guarded
def verify(store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Check the ledger (its records, chain and anchor in the run store) and re-run every sealed forecast;
    exit 1 if anything fails."""
    from .ledger import verify as verify_ledger

    problems, checks = verify_ledger(RunStore(store), ledger)
    if problems:
        print_problems(err, problems, "the ledger is broken:")
    for c in checks:
        out.print(f"{'[green]ok[/green]' if c.ok else '[red]FAILED[/red]'} record {c.seq} run {c.run_id}: "
                  f"{escape(c.message)}")
    failed = len(problems) + sum(not c.ok for c in checks)
    out.print(f"{len(checks)} sealed forecasts checked; {failed} problem{'s' * (failed != 1)}")
    if failed:
        raise typer.Exit(1)


@app.command()
@guarded
def validate(file: FileArg = None, fmt: FormatOpt = None, texts: TextsOpt = None) -> None:
    """Check a scenario file and report every problem at once."""
    loaded = load(file, fmt, texts)
    s = loaded.scenario
    stances = sum(len(a.issues) for a in s.actors)
    claims = sum(len(e.claims) for e in s.estimates())
    assumed = sum(1 for e in s.estimates() if e.assumption and not e.claims)
    checked = [src.id for src in s.sources if find_text(src.model_dump(), loaded.path.parent, list(texts or []))]
    out.print(f"[green]ok[/green]: {escape(loaded.path.name)} ({loaded.format}): {escape(repr(s.name))}: "
              f"{len(s.actors)} actors, "
              f"{len(s.issues)} issues, {stances} stances")
    out.print(f"evidence: {claims} claims from {len(s.sources)} sources; {assumed} values rest on a stated assumption"
              + (f"; every value without either is covered by the file's assumption: {s.assumption!r}"
                 if s.assumption else ""))
    if s.sources:
        out.print(f"quotes checked verbatim against the texts of {len(checked)} of {len(s.sources)} sources"
                  + (f" ({', '.join(checked)})" if checked else " (give --texts DIR to check them)"))
    out.print(f"sha256 {s.sha256}")


@app.command()
@guarded
def convert(
    source: Annotated[str, typer.Argument(help="scenario file to read")],
    target: Annotated[Path, typer.Argument(help="file to write (.yaml, .csv, .xlsx, .txt); for DEU, a folder")],
    fmt: FormatOpt = None,
    to: Annotated[Optional[Format], typer.Option("--to", "-t", help="format to write (default: from the name)")] = None,
) -> None:
    """Convert a scenario between formats (YAML, table, KTAB, decide); a DEU file to one YAML file per issue
    in the folder TARGET."""
    if fmt is not None and fmt.value == "deu":
        from .io import read_deu

        data = read_deu(source)
        if data.warnings:
            print_problems(err, data.warnings)
        for issue, scenario in zip(data.issues, data.scenarios()):
            write_scenario(scenario, target / f"{issue.issue}.yaml")
        out.print(f"wrote {len(data.issues)} scenarios to {target}/")
        return
    loaded = load(source, fmt)
    warnings = write_scenario(loaded.scenario, target, to.value if to else None)
    if warnings:
        print_problems(err, warnings)
    out.print(f"wrote {target}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the YAML scenario form."""
    data = Scenario.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "accord scenario"
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@app.command()
def models() -> None:
    """List the registered models and their parameters."""
    table = Table("model", "what it computes", "parameters (default)", box=None, header_style="bold")
    for name, cls in registry().items():
        from_preset = "preset" in cls.Params.model_fields  # None means: the preset decides
        params = ", ".join(f"{k}={'(preset)' if f.default is None and from_preset else repr(f.default)}"
                           for k, f in cls.Params.model_fields.items()) or "—"
        table.add_row(name, cls.summary, params)
    out.print(table)


def _begin_sweep(run_store, scenario, spec, held: ExitStack) -> str:
    """A new sweep in the store, its lock held until ``held`` closes (so it shows as running)."""
    from .execution import batch_sizes
    from .store import new_sweep_id

    sweep_id = new_sweep_id()
    held.enter_context(run_store.running_sweep(sweep_id))  # before the sweep exists: never seen unlocked
    run_store.begin_sweep(sweep_id, scenario, spec, len(batch_sizes(spec["samples"], spec["batch"])))
    err.print(f"[dim]sweep {sweep_id}: if it is interrupted, `accord sweep resume {sweep_id}` finishes it[/dim]")
    return sweep_id


def _sweep(run_store, scenario, results, spec, workers, scheduler, quiet, done, sweep_id=None):
    """Monte Carlo for the results, each completed batch stored (when there is a sweep) as it comes."""
    from .errors import StoreError
    from .execution import batch_sizes, executor, progress_bar

    n_batches = len(batch_sizes(spec["samples"], spec["batch"]))
    stored = dict(done)

    def sink(k, part):
        run_store.save_batch(sweep_id, k, part)
        stored[k] = part

    try:
        with executor(workers, scheduler) as pool, \
                progress_bar(n_batches - len(done), f"{spec['samples']:,} samples", quiet) as advance:
            add_uncertainty(scenario, results, spec["samples"], spec["seed"], spec["correlate"], pool,
                            advance, spec["batch"], done=done, sink=sink if sweep_id else None)
    except StoreError as exc:
        raise StoreError(f"{exc}; the {len(stored)} of {n_batches} batches stored are kept: "
                         f"`accord sweep resume {sweep_id}` finishes the sweep") from None


sweep_app = typer.Typer(no_args_is_help=True, help="Monte Carlo sweeps: list them, resume an interrupted one.")
app.add_typer(sweep_app, name="sweep")


@sweep_app.command("resume")
@guarded
def sweep_resume(
    sweep_id: str,
    store: StoreOpt = DEFAULT_PATH,
    workers: Annotated[int, typer.Option(min=1, help="local worker processes")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="address of a Dask scheduler")] = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Finish an interrupted sweep: only the batches not yet stored are computed.

    A sweep another process is running is not resumed (that process holds its lock)."""
    run_store = RunStore(store)
    with ExitStack() as held:
        spec, scenario, n_batches, done, run_ids = run_store.sweep(sweep_id)
        if run_ids is None:
            held.enter_context(run_store.running_sweep(sweep_id))
            spec, scenario, n_batches, done, run_ids = run_store.sweep(sweep_id)  # as it stands under the lock
        if run_ids is not None:
            doc = document(scenario, [run_store.get(r).result for r in run_ids], spec.get("skipped", []))
            draws = [np.concatenate([done[k][m] for k in sorted(done)]) for m in spec["models"]]
            err.print(f"sweep {sweep_id} was already finished")
        else:
            err.print(f"sweep {sweep_id}: {len(done)} of {n_batches} batches stored; computing the rest")
            results = run_models(scenario, spec["models"], spec["params"], spec["seed"])
            _sweep(run_store, scenario, results, spec, workers, scheduler, quiet, done, sweep_id)
            doc = record(scenario, results, run_store, command_line(), spec.get("skipped", []))
            draws = draws_of(results)
            run_store.finish_sweep(sweep_id, [r["run_id"] for r in doc["runs"]])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        print_forecast(out, scenario, doc, str(store), draws)


@sweep_app.command("list")
@guarded
def sweep_list(store: StoreOpt = DEFAULT_PATH) -> None:
    """List sweeps, newest first: how many batches each has stored, and whether it is complete, running
    (a process holds it) or interrupted."""
    rows = RunStore(store).sweeps()
    if not rows:
        out.print(f"no sweeps in {store}")
    for s in rows:
        state = {"complete": "complete",
                 "running": f"[cyan]running[/cyan] ({escape(s.holder or 'another process')})",
                 "interrupted": f"[yellow]interrupted: accord sweep resume {s.sweep_id}[/yellow]"}[s.state]
        out.print(f"{s.sweep_id}  {s.created[:19].replace('T', ' ')}  {s.done}/{s.batches} batches  {state}")


# -- runs ---------------------------------------------------------------------------------------


@runs_app.command("list")
@guarded
def runs_list(store: StoreOpt = DEFAULT_PATH,
              limit: Annotated[int, typer.Option(help="show at most this many, newest first")] = 50) -> None:
    """List recorded runs, newest first."""
    records = RunStore(store).list(limit)
    if not records:
        out.print(f"no runs recorded in {store}")
        return
    table = Table(box=None, header_style="bold")
    for name in ("run id", "created (UTC)", "model"):
        table.add_column(name, no_wrap=True)
    table.add_column("scenario", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("sha256", no_wrap=True)
    table.add_column("seed", no_wrap=True)
    for r in records:
        table.add_row(r.run_id, r.created[:19].replace("T", " "), r.model, r.scenario_name, r.scenario_sha256[:12],
                      str(r.seed))
    out.print(table)


@runs_app.command("show")
@guarded
def runs_show(run_id: str, store: StoreOpt = DEFAULT_PATH,
              as_json: Annotated[bool, typer.Option("--json", help="print the run's JSON document")] = False) -> None:
    """Reprint a recorded run."""
    run_store = RunStore(store)
    rec = run_store.get(run_id)
    scenario = rec.scenario(run_store)
    doc = document(scenario, [rec.result])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
        return
    out.print(f"run {rec.run_id}: {rec.model} {escape(json.dumps(rec.params))} seed {rec.seed}; made {rec.created} "
              f"by accord {rec.accord_version}" + (f"\n[dim]{escape(rec.command)}[/dim]" if rec.command else ""))
    print_forecast(out, scenario, doc, draws=[run_store.draws(rec.run_id, rec.model)])


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"


@runs_app.command("export")
@guarded
def runs_export(
    run_id: str,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="json: the whole record; csv: one table")] = ExportFormat.json,
    table: Annotated[str, typer.Option(help="with csv: forecast, rounds, summary, or a model table")] = "forecast",
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="file to write (default: standard output)")] = None,
    store: StoreOpt = DEFAULT_PATH,
) -> None:
    """Export a recorded run: the whole record as JSON, or one of its tables as CSV."""
    from .errors import UsageError

    run_store = RunStore(store)
    rec = run_store.get(run_id)
    if fmt is ExportFormat.json:
        text = dumps({
            "run_id": rec.run_id, "created": rec.created, "accord_version": rec.accord_version,
            "environment": rec.environment, "command": rec.command, "model": rec.model, "params": rec.params,
            "seed": rec.seed, "scenario": {"name": rec.scenario_name, "sha256": rec.scenario_sha256,
                                           "body": run_store.scenario(rec.scenario_sha256).canonical()},
            "result": rec.result})
    else:
        rows = rec.result["tables"].get(table) if table not in ("forecast", "rounds", "summary") else rec.result[table]
        if rows is None:
            names = ["forecast", "rounds", "summary", *rec.result["tables"]]
            raise UsageError(f"run {rec.run_id} has no table {table!r}; it has: {', '.join(names)}")
        buf = io.StringIO()
        columns = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(buf, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buf.getvalue()
    if output:
        atomic_write(output, text.encode("utf-8"))
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# -- report -------------------------------------------------------------------------------------


@app.command()
@guarded
def report(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="file to write: .html (one self-contained page) or .md (figures in a folder beside it)",
        show_default=False)],
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to run (repeatable; default: every model that can take the scenario)")] = None,
    param: ParamOpt = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo: draw this many scenarios from the evidence, for intervals")] = 0,
    seed: SeedOpt = 0,
    role_samples: Annotated[int, typer.Option(
        min=0, help="Monte Carlo samples for the roles' confidence")] = 10,
    report_format: Annotated[Optional[str], typer.Option(
        "--format", help="html or md (default: from the output's suffix)")] = None,
    input_format: Annotated[Optional[Format], typer.Option(
        "--input-format", help="the scenario file's format (default: detected)")] = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Write a report: the scenario with its evidence, forecasts, trajectories, roles, perspectives,
    sensitivity and the actors' network, as one HTML page or as Markdown with its figures."""
    from .errors import UsageError
    from .report import build, render_html, write_markdown

    kind = report_format or {".html": "html", ".htm": "html", ".md": "md"}.get(output.suffix.lower())
    if report_format is not None and kind not in ("html", "md"):
        raise UsageError(f"--format {report_format!r}: choose html or md")
    if kind is None:
        raise UsageError(f"cannot tell the report's format from {output.name!r}: name it .html, .htm or .md, or "
                         "give --format html or --format md")
    scenario = load(file, input_format).scenario
    names = model or list(registry())
    result = build(scenario, models=model, params=parse_params(names, param or []), samples=samples, seed=seed,
                   role_samples=role_samples, command=command_line())
    try:
        if kind == "html":
            atomic_write(output, render_html(result).encode("utf-8"))
            out.print(f"wrote {output}")
        else:
            figures = write_markdown(result, output)[1:]
            out.print(f"wrote {output} and its {len(figures)} figures in {output.with_name(output.stem + '_files')}/")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    if not no_store:
        doc = record(scenario, result.results, RunStore(store), command_line())
        out.print(f"runs recorded in {store}: {', '.join(r['run_id'] for r in doc['runs'])}")


# -- evidence ---------------------------------------------------------------------------------

evidence_app = typer.Typer(no_args_is_help=True,
                           help="Find claims in articles, review them, merge them into a scenario.")
app.add_typer(evidence_app, name="evidence")
ArticlesArg = Annotated[list[Path], typer.Argument(help="plain-text articles (UTF-8)", show_default=False)]
ScenarioOpt = Annotated[str, typer.Option("--scenario", "-s", help="scenario whose actors and issues to look for")]
SemanticOpt = Annotated[bool, typer.Option(
    "--semantic/--lexical", help="rank with the sentence embedding too (needs the `text` extra)")]
ProposeOpt = Annotated[Optional[float], typer.Option(
    "--propose-at", min=-1.0, max=1.0,
    help="with --semantic: also propose links no lexicon word marks, from this similarity up (e.g. 0.6)")]


def _scan(articles: list[Path], scenario: Scenario, semantic: bool, propose_at: float | None = None):
    from .evidence import scan
    from .io._files import decode, read_bytes

    texts = {a.name: decode(read_bytes(a), str(a)) for a in articles}
    if len(texts) < len(articles):
        raise InputError([Problem("two articles have the same file name; rename one", str(a)) for a in articles])
    return scan(scenario, texts, _ranker(semantic, propose_at))


def _ranker(semantic: bool, propose_at: float | None = None):
    from .errors import UsageError

    if not semantic:
        if propose_at is not None:
            raise UsageError("--propose-at needs --semantic: the links are proposed by the sentence embedding")
        return None
    from .evidence.embedding import EmbeddingUnavailable
    from .evidence.semantic import SemanticRanker

    try:
        return SemanticRanker(propose_at=propose_at)
    except EmbeddingUnavailable as exc:
        raise UsageError(str(exc)) from None


@evidence_app.command("scan")
@guarded
def evidence_scan(articles: ArticlesArg, scenario: ScenarioOpt, semantic: SemanticOpt = False,
                  propose_at: ProposeOpt = None, as_json: JsonOpt = False,
                  top: Annotated[int, typer.Option(min=0, help="show only the best N (0: all)")] = 0) -> None:
    """Find the sentences that tie an actor to an issue: candidate claims with a stance hint, best first."""
    loaded = load(scenario, None)
    found = _scan(articles, loaded.scenario, semantic, propose_at)
    shown = found[:top] if top else found
    if as_json:
        keys = ("article", "actor", "issue", "sentence", "start", "end", "stance", "score")
        doc = {"candidates": [{**{k: c.to_dict()[k] for k in keys}, **c.to_dict()} for c in shown]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{len(found)} candidate claims in {len(articles)} article(s)", show_lines=False)
    for col in ("score", "actor", "issue", "stance", "article", "sentence"):
        table.add_column(col, overflow="fold")
    for c in shown:
        table.add_row(f"{c.score:.2f}", c.actor, c.issue, c.stance, f"{c.article}:{c.start}",
                      escape(c.sentence if len(c.sentence) < 160 else c.sentence[:159] + "…"))
    out.print(table)


@evidence_app.command("review")
@guarded
def evidence_review(articles: ArticlesArg, scenario: ScenarioOpt,
                    output: Annotated[Path, typer.Option("--output", "-o", help="review file to write (.yaml, .csv)")],
                    semantic: SemanticOpt = False, propose_at: ProposeOpt = None) -> None:
    """Write the candidates to a review file: accept or reject each, set its value, trim its quote."""
    from .evidence.review import dumps_review, review_format, review_rows

    fmt = review_format(output)
    loaded = load(scenario, None)
    rows = review_rows(loaded.scenario, _scan(articles, loaded.scenario, semantic, propose_at))
    atomic_write(output, dumps_review(rows, fmt).encode("utf-8"))
    out.print(f"wrote {len(rows)} candidates to {output}; then: accord evidence apply {output} --scenario "
              f"{scenario} -o NEW.yaml")


@evidence_app.command("apply")
@guarded
def evidence_apply(review: Annotated[Path, typer.Argument(help="the edited review file")], scenario: ScenarioOpt,
                   output: Annotated[Path, typer.Option("--output", "-o", help="scenario file to write (YAML)")],
                   texts: TextsOpt = None) -> None:
    """Merge the accepted claims into the scenario, checking every quote against its article."""
    from .evidence.review import apply_review

    loaded = load(scenario, None, texts)
    if output.resolve() == loaded.path.resolve():
        raise InputError([Problem("writing over the scenario would lose its comments: give another -o file",
                                  str(output))])
    merged, report = apply_review(loaded.scenario, review, list(texts or []), loaded.path.parent)
    write_scenario(merged, output, "yaml")
    for line in report:
        out.print(f"  {escape(line)}")
    out.print(f"{len(report)} accepted claims merged; wrote {output} (sha256 {merged.sha256[:12]})")


@evidence_app.command("eval")
@guarded
def evidence_eval(labels: Annotated[Path, typer.Argument(help="labels file (see accord.evidence.evaluate)")],
                  scenario: ScenarioOpt, texts: TextsOpt = None, semantic: SemanticOpt = False,
                  propose_at: ProposeOpt = None, as_json: JsonOpt = False) -> None:
    """Precision and recall of the scan's actor-issue links, and its stance accuracy, against hand labels."""
    from .evidence.evaluate import evaluate, read_labels

    loaded = load(scenario, None)
    folders = [labels.parent, *(texts or [])]
    names = _label_articles(labels)
    paths = [next((d / n for d in folders if (d / n).is_file()), Path(n)) for n in names]
    found = _scan(paths, loaded.scenario, semantic, propose_at)
    texts_by_name = {p.name: p.read_text(encoding="utf-8-sig") for p in paths if p.is_file()}
    gold = read_labels(labels, texts_by_name, set(loaded.scenario.actor_ids), set(loaded.scenario.issue_ids))
    result = {"labels_file": str(labels), "scenario": loaded.scenario.sha256, "semantic": semantic,
              "propose_at": propose_at, **evaluate(found, gold)}
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    for key in ("labels", "candidates", "matched", "precision", "recall", "stance_accuracy", "average_precision"):
        out.print(f"{key:17} {result[key]}")
    out.print(f"{'recall by mention':17} {result['recall_by_mention']}")
    for issue, r in result["by_issue"].items():
        out.print(f"  {issue:16} labels {r['labels']:3}  precision {r['precision']}  recall {r['recall']}")


def _label_articles(labels: Path) -> list[str]:
    from .io._files import decode, read_bytes
    from .io.native import load

    raw = load(decode(read_bytes(labels), str(labels)), str(labels))
    arts = raw.get("articles") if isinstance(raw, dict) else None
    return [a["article"] for a in arts or [] if isinstance(a, dict) and isinstance(a.get("article"), str)]


# -- dashboard --------------------------------------------------------------------------------


@app.command()
@guarded
def serve(
    folder: Annotated[Path, typer.Argument(help="folder of scenario files to list, open and upload into")] = Path(
        "scenarios"),
    host: Annotated[str, typer.Option(help="address to bind; the default serves this machine only")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    store: StoreOpt = DEFAULT_PATH,
) -> None:
    """Serve the dashboard: open a scenario, edit its inputs, run models, see roles, runs and reports."""
    from importlib.util import find_spec

    from .errors import UsageError
    from .web import serve as run_server

    missing = [m for m in ("fastapi", "jinja2", "uvicorn", "multipart") if find_spec(m) is None]
    if missing:
        raise UsageError(f"the dashboard needs the `web` extra ({', '.join(missing)} missing): "
                         "pip install 'accord[web]'")
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder; give the folder of your scenario files")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]note:[/yellow] serving on {host}: anyone who can reach it can run models and upload files")
    out.print(f"accord dashboard of {folder} on http://{host}:{port}/  (Ctrl-C to stop)")
    run_server(str(folder), host, port, str(store))


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=warnings.showwarning):
    """A plug-in that failed to load: one line on standard error, as a file's warnings are."""
    from .models import PluginWarning

    if issubclass(category, PluginWarning):
        print_problems(err, [Problem(str(message), severity="warning")])
    else:
        _default(message, category, filename, lineno, file, line)


def main() -> None:
    warnings.showwarning = _show_warning
    app()


if __name__ == "__main__":  # python -m accord.cli, as python -m accord
    main()
