"""Reading files safely: size limit, encodings, CSV records, numbers in text cells."""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..scenario import number_problem as _number_problem
from ..scenario import parse_number

#: Scenario files larger than this are refused: the largest real scenario is a few hundred
#: kilobytes, and a bigger file is almost certainly the wrong file.
MAX_BYTES = 32 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError([Problem("no such file", name)]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read: {exc.strerror}", name)]) from None
    if path.is_dir():
        raise InputError([Problem("is a folder, not a scenario file", name)])
    if size > MAX_BYTES:
        raise InputError([Problem(
            f"the file is {_size(size)}; scenario files are limited to {_size(MAX_BYTES)}", name)])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(f"cannot read: {exc.strerror}", name)]) from None


def _size(n: int) -> str:
    # whole units for the usual limits, a decimal where needed, bytes for the smallest
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n} bytes"


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 with a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(f"not valid UTF-16 text ({exc.reason})", name)]) from None
    if b"\0" in data:
        # UTF-16 without a byte-order mark would otherwise pass as UTF-8 with a NUL in every other byte
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise InputError([Problem("not a text file: it contains NUL bytes (UTF-16 is read only with a "
                                  "byte-order mark; save the file as UTF-8)", name, line)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise InputError([Problem(
            f"not UTF-8 text: byte 0x{byte:02x} cannot be decoded; save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8'); other encodings are not guessed", name, line)]) from None


def csv_records(text: str, file: str, first_line: int = 1, **dialect: Any) -> list[tuple[int, list[str]]]:
    """The records of a CSV text, each with the line it starts on (a quoted field may span lines).

    Every line ending is accepted (old Macs and some Excel versions write a bare CR). A quoted
    field left open is an error: the csv module would quietly read the rest of the file into it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), **dialect)
    records, start = [], first_line
    try:
        for row in reader:
            records.append((start, row))
            start = first_line + reader.line_num
    except csv.Error as exc:  # with the line ends made plain, only a field over the size limit is left
        q = dialect.get("quotechar", '"')
        raise InputError([Problem(f"CSV syntax error in the row that starts here ({exc}): is a quote ({q}) left "
                                  "open?", file, start)]) from None
    if records and _unclosed(text, dialect):
        q = dialect.get("quotechar", '"')
        raise InputError([Problem(f"a quoted field ({q}...) that starts on this line is never closed: add the "
                                  f"closing {q}, or remove the opening one", file, records[-1][0])])
    return records


def _unclosed(text: str, dialect: dict[str, Any]) -> bool:
    # only strict parsing tells a quote left open at the end of the file from a closed one
    try:
        for _ in csv.reader(io.StringIO(text), strict=True, **dialect):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def number(text: object) -> float | None:
    """A finite number from a cell: a number already, or a text in plain decimal syntax
    (:func:`accord.scenario.parse_number`); None when the cell is not one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        try:
            value = float(text)
        except OverflowError:  # an integer cell of 400 digits
            return None
        return value if math.isfinite(value) else None
    return parse_number(str(text))


def number_problem(text: object) -> str:
    """Why a cell is not a number, naming the value and the syntax allowed."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return f"must be a finite number, got {text!r}"
    return _number_problem(str(text))


def from_percent(value: float) -> float:
    """65.3 -> 0.653, in decimal arithmetic, so that 20.6 becomes 0.206 and not 0.20600000000000002."""
    return float(Decimal(repr(value)) / 100)


def to_percent(share: float) -> str:
    """0.206 -> "20.6": the inverse of :func:`from_percent`, exact for every share it produced."""
    text = format((Decimal(repr(share)) * 100).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
