"""JSON text to Python values: ``json.loads``, quicker where the ``fast`` extra is installed.

msgspec's untyped decoder (``incident-rules[fast]``) reads our documents in roughly half the
time ``json.loads`` takes. It is used only where it returns what ``json.loads`` returns: where it
refuses a text (not JSON, NaN or Infinity, a float out of range, a lone surrogate escape, deep
nesting, an integer past ``sys.get_int_max_str_digits()``) ``json.loads`` reads it again, so what
is accepted, the value and the error all stay those of ``json.loads``. A property test holds the
two to the same value on generated, damaged and hostile texts. (orjson, as fast, reads an integer
past 64 bits as a float: a different value, not an error, so it is not used.)

One difference is left, at the interpreter's recursion limit: msgspec stops a few levels of
nesting later than ``json.loads`` (3 on Python 3.10 and 3.11, where ``json.loads``' own three
Python calls count against the limit; 1 on 3.12; none on 3.13). A text nested just at that depth
(about 995 levels at the top of the stack) is then read instead of raising ``RecursionError``. No
incident document nests deeper than five levels, so such a text is refused either way, with the
structuring's problems instead of "not valid JSON". Finding the depth first would cost more than
the C decoder saves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

__all__ = ["c_decoder", "loads"]


@functools.cache
def c_decoder() -> Callable[[str], Any] | None:
    """msgspec's JSON decoder, or None where the ``fast`` extra is not installed.

    Imported on the first text read, so a process that reads none does not pay for the import.
    """
    try:
        import msgspec
    except ImportError:
        return None
    decode: Callable[[str], Any] = msgspec.json.Decoder().decode
    return decode


def loads(text: str) -> Any:
    """What ``json.loads(text)`` returns, read by the C decoder where it can.

    Raises:
        ValueError: As ``json.loads`` raises it, for a text that is not JSON.
        RecursionError: As ``json.loads`` raises it, for nesting past the recursion limit.
    """
    decode = c_decoder()
    if decode is not None:
        try:
            return decode(text)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001, S110 -- any refusal: json.loads decides, in its words
            pass
    return json.loads(text)
