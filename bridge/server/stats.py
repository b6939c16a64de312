"""What the engine counts (`stats`, /sentgen/stats) and its rate-limited log."""
from __future__ import annotations

import logging
import time

log = logging.getLogger("sentgen.engine")
LOG_EVERY = 5.0                # seconds between two log lines of one kind that remote senders can cause


class Stats:
    """The counters and the rate-limited log (every log line a remote sender can cause)."""

    STATS = ("packets", "edits", "ready", "coalesced", "errors", "looking_ahead")

    def _log_limited(self, key: str, text: str, every: float = LOG_EVERY, level: int = logging.WARNING,
                     exc_info: bool = False):
        """Log text at most once per `every` seconds per key, with how many times it happened so far.
        Every log line that a remote sender can cause goes through here, so no flood of packets,
        however made, can flood the log (or spend the engine's time writing it)."""
        now = time.monotonic()
        self.stats[key] += 1
        if now - self._last_log.get(key, -every) >= every:
            self._last_log[key] = now
            log.log(level, "%s (%d so far)", text, self.stats[key], exc_info=exc_info)
