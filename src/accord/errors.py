"""Errors that reach users.

Every problem with an input is a :class:`Problem`: where it is (file, line, field), what is
wrong, and what is allowed. A reader collects all problems of a file before it gives up and
raises one :class:`InputError` holding them, so a user fixes a file in one pass. The command
line prints them and exits with status 2, never with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        parts = [p for p in (where, self.field) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class AccordError(Exception):
    """Base class of the errors accord reports to users (exit status 2)."""

    exit_code = 2


@dataclass
class InputError(AccordError):
    """A file or value that accord cannot accept; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.errors)
        head = f"{n} problem{'s' if n != 1 else ''} found"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.errors)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"] or self.problems


class UsageError(AccordError):
    """A bad command-line choice or model parameter (unknown model, bad --param, ...)."""


class NotApplicable(UsageError):
    """A model that cannot take this scenario (too few issues, sparse data, ...): the reason is the message."""


class StoreError(AccordError):
    """The run store cannot do what was asked (unknown run id, unreadable store, ...)."""


class WriteError(AccordError):
    """A file that cannot be written (no space left, a read-only folder, no permission); the old file is kept."""
