"""AWS maintenance, backup and snapshot windows: the minutes each covers."""

from __future__ import annotations

from stacks.config import parse_window


def test_windows_cover_the_right_minutes() -> None:
    daily = parse_window("23:30-00:30", weekly=False)
    assert (daily.start, daily.minutes) == (23 * 60 + 30, 60)
    assert len(daily.minutes_of_week()) == 7 * 60
    weekly = parse_window("Sun:23:30-Mon:00:30", weekly=True)
    assert (weekly.start, weekly.minutes) == (6 * 1440 + 23 * 60 + 30, 60)
    assert 0 in weekly.minutes_of_week()  # wraps into Monday 00:00
