"""One ISO 8601 parser for document times, the same on every supported Python.

``datetime.fromisoformat`` accepts different text on 3.10 (only its own output) and on 3.11+
(most of ISO 8601, including week dates, basic format and any separator), so a document valid
on one interpreter would be invalid on another. This accepts exactly the extended format
documents are written in: ``YYYY-MM-DDTHH:MM[:SS[.fraction]]`` and an offset ``Z`` or
``+HH:MM``, on every interpreter.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse_iso_datetime"]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?",
    re.ASCII,
)


def parse_iso_datetime(text: str) -> datetime:
    """The time ``text`` writes; naive when it has no offset.

    Raises:
        ValueError: ``text`` is not an ISO 8601 extended date and time, or names no real time
            (month 13, 24:00, an offset of 24 hours or more).
    """
    match = _ISO.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 date and time: {text!r}")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_hours, off_minutes = match.groups()
    # Digits past microseconds are dropped, as a clock of that resolution would read them.
    microsecond = int((fraction or "").ljust(6, "0")[:6])
    zone = None
    if zulu:
        zone = timezone.utc
    elif sign:
        offset = timedelta(hours=int(off_hours), minutes=int(off_minutes))
        if int(off_minutes) >= 60 or offset >= timedelta(hours=24):
            raise ValueError(f"not a UTC offset: {text!r}")
        zone = timezone(-offset if sign == "-" else offset)
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), microsecond, tzinfo=zone
    )
