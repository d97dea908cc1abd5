"""Simulated clock of the local service, in epoch seconds.

now = start + speed * (real seconds since start) + manual and instant-mode advances.
The clock never runs backwards: `jump_to` an earlier time does nothing.
"""

from __future__ import annotations

import time
from typing import Callable

__all__ = ["SimulatedClock"]


class SimulatedClock:
    """A clock that runs at `speed` times real time and can be moved forward.

    `start_epoch` is the simulated time at construction (default: real now);
    `real_time` is the real clock in seconds (injectable for tests).
    """

    def __init__(self, speed: float = 1.0, start_epoch: float | None = None,
                 real_time: Callable[[], float] = time.time):
        if speed <= 0:
            raise ValueError(f"clock speed must be a positive multiple of real time, like 1.0 or 60; got {speed}")
        self.speed = speed
        self._real_time = real_time
        self._real_start = real_time()
        self._start = self._real_start if start_epoch is None else start_epoch
        self._offset_seconds = 0.0

    def now(self) -> float:
        """Return the simulated time in epoch seconds, rounded to milliseconds."""
        elapsed = self._real_time() - self._real_start
        return round(self._start + self.speed * elapsed + self._offset_seconds, 3)

    def now_ms(self) -> int:
        """Return the simulated time in epoch milliseconds."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Move the clock forward by `seconds` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward; seconds must be >= 0, got {seconds}")
        self._offset_seconds += seconds
        return self.now()

    def jump_to(self, epoch_seconds: float) -> float:
        """Move the clock forward to `epoch_seconds` if that is later than now; return the new time."""
        gap = epoch_seconds - self.now()
        if gap > 0:
            self._offset_seconds += gap
        return self.now()
