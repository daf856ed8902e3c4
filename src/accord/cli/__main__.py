"""``python -m accord.cli``, as ``python -m accord`` and ``accord``."""

from . import main

main()
