"""Doctests of the package (`pytest` collects src/accord with --doctest-modules): modules whose
optional dependencies are not installed are left out, as their extras are (`make test` installs
them all)."""

from __future__ import annotations

from importlib.util import find_spec

#: optional dependency (top-level module) -> the package's folders that import it on import
OPTIONAL = {"fastapi": ["src/accord/web"]}

collect_ignore = [folder for module, folders in OPTIONAL.items() if find_spec(module) is None for folder in folders]
