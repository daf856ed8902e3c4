"""Model plug-ins: entry points of the group ``accord.models`` in other distributions."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

GOOD = '''
import numpy as np
from accord.models.base import Model, Result, register


@register
class Halfway(Model):
    name = "halfway"
    summary = "the scale's midpoint (a test plug-in)"

    def solve(self, inputs, rng):
        return Result.static(inputs, np.full(len(inputs.issues), 50.0))
'''

CLASH = '''
from accord.models.base import Model, register


@register
class Mean(Model):
    name = "mean"
    summary = "a second model named mean"

    def solve(self, inputs, rng):
        raise NotImplementedError
'''


def distribution(site, name: str, entry_points: str, module: str | None = None) -> None:
    """An installed distribution as pip leaves it: a .dist-info folder, and its module if any."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[accord.models]\n" + entry_points + "\n")
    if module:
        (site / f"{name.replace('-', '_')}.py").write_text(textwrap.dedent(module))


def run(site, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)


def test_a_broken_plugin_is_skipped_with_one_warning_and_the_others_load(tmp_path):
    distribution(tmp_path, "ghost-models", "ghost = accord_ghost_models:Ghost")  # its module is missing
    distribution(tmp_path, "clash-models", "clash = clash_models", CLASH)  # takes a built-in model's name
    distribution(tmp_path, "halfway-models", "halfway = halfway_models", GOOD)
    done = run(tmp_path, "-m", "accord", "models")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert {"mean", "median", "nash", "eum", "exchange", "smp", "halfway"} <= listed
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 2, done.stderr
    ghost = next(w for w in warnings if "'ghost'" in w)
    assert "warning: model plug-in 'ghost' of distribution 'ghost-models' not loaded" in ghost
    assert "ModuleNotFoundError: No module named 'accord_ghost_models'" in ghost
    clash = next(w for w in warnings if "'clash'" in w)
    assert "distribution 'clash-models'" in clash and "a model named 'mean' is already registered" in clash
    # the library warns with its own category, so that a program can filter or raise on it
    code = ("import warnings\nwith warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
            "    from accord.models import registry\n    names = registry()\n"
            "print(sorted({type(x.message).__name__ for x in w}), 'halfway' in names, names['mean'].__module__)")
    done = run(tmp_path, "-c", code)
    assert done.stdout.split("\n")[0] == "['PluginWarning'] True accord.models.compromise", done.stderr


def test_the_registry_has_one_order_whatever_was_imported_first():
    """Runs, tables and JSON list models in registry order: it must not follow import history."""
    script = ("import accord.models.smp, accord.models.accord\n"
              "from accord.models import registry\nprint(','.join(registry()))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "mean,median,nash,accord,eum,exchange,influence,procedural,smp"


def test_a_thread_asking_for_a_model_while_another_loads_them_waits_for_all():
    """A server's warm-up and its first request ask for models at once, in a fresh process: the
    second must not see the registry half loaded (it once got "unknown model 'eum'"). Each
    model module's import is slowed, so the second thread asks while the first is loading."""
    script = textwrap.dedent('''
        import importlib, threading, time
        import accord.models as models
        real = importlib.import_module
        def slow(name, *a):
            time.sleep(0.02)
            return real(name, *a)
        models.importlib = type("slowed", (), {"import_module": staticmethod(slow)})
        found = []
        first = threading.Thread(target=lambda: found.append(models.get_model("eum").name))
        first.start()
        time.sleep(0.03)
        found.append(models.get_model("eum").name)
        first.join()
        print(sorted(found))
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['eum', 'eum']"
