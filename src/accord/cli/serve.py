"""``accord serve``: the dashboard of a folder of scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..store import DEFAULT_PATH
from ..web import missing_extras
from ..web import serve as run_server
from . import StoreOpt, app, err, guarded, out


@app.command()
@guarded
def serve(
    folder: Annotated[Path, typer.Argument(help="folder of scenario files to list, open and upload into")] = Path(
        "scenarios"),
    host: Annotated[str, typer.Option(help="address to bind; the default serves this machine only")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    store: StoreOpt = DEFAULT_PATH,
    workers: Annotated[int, typer.Option(
        min=1, help="server processes: the models use one core per process (give the number of cores for many "
                    "users at once)")] = 1,
) -> None:
    """Serve the dashboard: open a scenario, edit its inputs, run models, see roles, runs and reports."""
    missing = missing_extras()
    if missing:
        raise UsageError(f"the dashboard needs the `web` extra ({', '.join(missing)} missing): "
                         "pip install 'accord[web]'")
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder; give the folder of your scenario files")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]note:[/yellow] serving on {host}: anyone who can reach it can run models and upload files")
    out.print(f"accord dashboard of {folder} on http://{host}:{port}/  (Ctrl-C to stop)")
    run_server(str(folder), host, port, str(store), workers)
