"""How long a key waits before it is retried: per-key exponential backoff, an overall token bucket, or both.

The semantics are client-go's ``workqueue`` rate limiters: ``when(key)`` records one more failure and returns the
delay, ``forget(key)`` clears the key's history (after a success), ``retries(key)`` counts failures so far.
"""

from __future__ import annotations

from typing import Protocol

from rktnetes.client.clock import Clock


class RateLimiter(Protocol):
    def when(self, key: str) -> float: ...

    def forget(self, key: str) -> None: ...

    def retries(self, key: str) -> int: ...


class ExponentialBackoff:
    """``base * 2**failures`` seconds per key, capped at ``cap``."""

    def __init__(self, base: float = 0.005, cap: float = 1000.0) -> None:
        self.base, self.cap = base, cap
        self._failures: dict[str, int] = {}

    def when(self, key: str) -> float:
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        return min(self.base * 2.0 ** min(failures, 64), self.cap)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def retries(self, key: str) -> int:
        return self._failures.get(key, 0)


class TokenBucket:
    """``qps`` retries a second overall after a ``burst``: each call reserves the next free token."""

    def __init__(self, clock: Clock, qps: float = 10.0, burst: int = 100) -> None:
        self.clock, self.qps, self.burst = clock, qps, burst
        self._tokens = float(burst)
        self._last: float | None = None

    def when(self, key: str) -> float:
        now = self.clock.now()
        if self._last is not None:
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def forget(self, key: str) -> None:
        pass

    def retries(self, key: str) -> int:
        return 0


class MaxOf:
    """The longest delay any of ``limiters`` asks for (client-go's default controller limiter is one)."""

    def __init__(self, *limiters: RateLimiter) -> None:
        self.limiters = limiters

    def when(self, key: str) -> float:
        return max(limiter.when(key) for limiter in self.limiters)

    def forget(self, key: str) -> None:
        for limiter in self.limiters:
            limiter.forget(key)

    def retries(self, key: str) -> int:
        return max(limiter.retries(key) for limiter in self.limiters)


def controller_default(clock: Clock) -> RateLimiter:
    """5 ms doubling to 1000 s per key, and at most 10 retries a second (burst 100) overall."""
    return MaxOf(ExponentialBackoff(0.005, 1000.0), TokenBucket(clock, 10.0, 100))
