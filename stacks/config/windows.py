"""AWS maintenance, backup and snapshot windows: parsed, checked for length, and kept apart.

RDS and ElastiCache take the same two formats, in UTC: a daily window `hh24:mi-hh24:mi` and a
weekly one `ddd:hh24:mi-ddd:hh24:mi`, each at least some minutes long and, on one resource,
never overlapping the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

from aws_facts import elasticache, rds
from stacks.config.base import did_you_mean

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES
_DAILY_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_WEEKLY_WINDOW = re.compile(r"^([A-Za-z]{3}):(\d{2}):(\d{2})-([A-Za-z]{3}):(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Window:
    """A UTC time window: daily (`hh24:mi-hh24:mi`) or weekly (`ddd:hh24:mi-ddd:hh24:mi`)."""

    start: int
    """Minutes after midnight (daily) or after Monday 00:00 (weekly)."""
    minutes: int
    weekly: bool

    def minutes_of_week(self) -> set[int]:
        """Every minute of the week the window covers (a daily window repeats each day)."""
        starts = [self.start] if self.weekly else [d * _DAY_MINUTES + self.start for d in range(7)]
        return {(s + i) % _WEEK_MINUTES for s in starts for i in range(self.minutes)}


def _clock(hours: str, minutes: str, text: str) -> int:
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"'{text}' holds the time {hours}:{minutes}; use 00:00 to 23:59 (UTC)")
    return int(hours) * 60 + int(minutes)


def parse_window(text: str, *, weekly: bool) -> Window:
    """Parse an AWS maintenance/backup window, or raise ValueError naming the format."""
    if not weekly:
        match = _DAILY_WINDOW.match(text)
        if match is None:
            raise ValueError(
                f"'{text}' is not a daily window 'hh24:mi-hh24:mi' in UTC (e.g. '03:00-03:30')"
            )
        start = _clock(match[1], match[2], text)
        end = _clock(match[3], match[4], text)
        return Window(start, (end - start) % _DAY_MINUTES, weekly=False)
    match = _WEEKLY_WINDOW.match(text)
    if match is None:
        raise ValueError(
            f"'{text}' is not a weekly window 'ddd:hh24:mi-ddd:hh24:mi' in UTC "
            "(e.g. 'sun:04:00-sun:05:00')"
        )
    for day in (match[1], match[4]):
        if day.lower() not in _WEEKDAYS:
            raise ValueError(
                f"'{text}': '{day}' is not a day{did_you_mean(day.lower(), _WEEKDAYS)}; "
                f"use one of {', '.join(_WEEKDAYS)}"
            )
    start = _WEEKDAYS.index(match[1].lower()) * _DAY_MINUTES + _clock(match[2], match[3], text)
    end = _WEEKDAYS.index(match[4].lower()) * _DAY_MINUTES + _clock(match[5], match[6], text)
    return Window(start, (end - start) % _WEEK_MINUTES, weekly=True)


def _window(*, weekly: bool, minimum: int, service: str) -> AfterValidator:
    def check(text: str) -> str:
        window = parse_window(text, weekly=weekly)
        if not minimum <= window.minutes <= _DAY_MINUTES:
            raise ValueError(
                f"'{text}' lasts {window.minutes} minutes; {service} needs {minimum} minutes "
                "to 24 hours"
            )
        return text.lower()

    return AfterValidator(check)


RdsBackupWindow = Annotated[
    str, _window(weekly=False, minimum=rds.WINDOW_MIN_MINUTES, service="an RDS backup window")
]
RdsMaintenanceWindow = Annotated[
    str, _window(weekly=True, minimum=rds.WINDOW_MIN_MINUTES, service="an RDS maintenance window")
]
CacheSnapshotWindow = Annotated[
    str,
    _window(
        weekly=False,
        minimum=elasticache.WINDOW_MIN_MINUTES,
        service="an ElastiCache snapshot window",
    ),
]
CacheMaintenanceWindow = Annotated[
    str,
    _window(
        weekly=True,
        minimum=elasticache.WINDOW_MIN_MINUTES,
        service="an ElastiCache maintenance window",
    ),
]


def overlap_problem(
    first: tuple[str, str], second: tuple[str, str], first_weekly: bool, second_weekly: bool
) -> list[tuple[str, str]]:
    (first_key, first_text), (second_key, second_text) = first, second
    shared = (
        parse_window(first_text, weekly=first_weekly).minutes_of_week()
        & parse_window(second_text, weekly=second_weekly).minutes_of_week()
    )
    if not shared:
        return []
    day = _WEEKDAYS[min(shared) // _DAY_MINUTES]
    return [
        (
            first_key,
            f"'{first_text}' overlaps {second_key} '{second_text}' (on {day}); AWS requires "
            "the two windows apart",
        )
    ]
