"""One computation of a cached figure at a time, however many requests want it.

Presentation-layer wiring for :meth:`dashboard.runtime.Runtime.cached`. On a filter change the
browser sends the page's callbacks together, and several need the same figure: the clinic
figures feed the map, the volume ranking, follow-up completion and the adverse-event rates by
clinic, from three callbacks that the two workers' threads run at once. Each missed the
result cache and computed the figure itself (about 1.5 times per change, measured), and after
an import every signed-in user's next requests miss at once. Now the first request computes
a key and the others wait for it, then read it from the cache:

* threads of one worker wait on a lock of their own (:class:`threading.Lock`, per key);
* workers that share Redis also take a Redis lock (redis-py's :class:`redis.lock.Lock`:
  ``SET NX`` with an expiry), polled at growing intervals (5 ms, 10 ms, then every 25 ms).

The lock saves work; it never fails or stalls a request for long. A waiter that has waited
``wait_s`` (a holder slower than that, or a worker that died holding the Redis lock, which
then expires on its own) computes the value itself, and so does one whose Redis is
unreachable. The holder's error does not reach the waiters: they compute in turn.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import redis
from redis.lock import Lock

logger = logging.getLogger("clinicops.single_flight")

LOCK_PREFIX = "clinicops:computing:"


@dataclass
class _Waiting:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


@dataclass
class SingleFlight:
    """``with single_flight(key):`` runs one block per key at a time, across this process's
    threads and, with ``redis_url``, across every process sharing that Redis."""

    redis_url: str | None = None
    #: How long a request waits for another's computation before doing it itself.
    wait_s: float = 30.0
    #: How long a Redis lock outlives a worker that died holding it.
    expire_s: float = 120.0
    #: How often a waiter asks Redis whether the lock is free: first after ``first_poll_s``,
    #: then twice as long each time, up to ``poll_s``. A figure takes 20-200 ms to compute; a
    #: fixed 5 ms poll made a waiter ask up to forty times, and each ask costs the worker
    #: ~0.3 ms of CPU (redis-py inspects its arguments on every SET).
    first_poll_s: float = 0.005
    poll_s: float = 0.025
    _waiting: dict[str, _Waiting] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _client: redis.Redis | None = field(default=None, init=False, repr=False)

    @contextmanager
    def __call__(self, key: str) -> Iterator[None]:
        with self._in_process(key), self._across_processes(key):
            yield

    @contextmanager
    def _in_process(self, key: str) -> Iterator[None]:
        with self._guard:
            waiting = self._waiting.setdefault(key, _Waiting())
            waiting.users += 1
        held = waiting.lock.acquire(timeout=self.wait_s)
        if not held:
            logger.warning("computing %s after waiting %.1f s for another thread", key, self.wait_s)
        try:
            yield
        finally:
            if held:
                waiting.lock.release()
            with self._guard:
                waiting.users -= 1
                if not waiting.users:
                    del self._waiting[key]

    @contextmanager
    def _across_processes(self, key: str) -> Iterator[None]:
        if self.redis_url is None:
            yield
            return
        name = LOCK_PREFIX + hashlib.sha256(key.encode()).hexdigest()
        lock = self._redis().lock(name, timeout=self.expire_s)
        try:
            held = self._acquire(lock)
        except redis.RedisError:
            logger.warning(
                "Redis lock for %s unavailable: computing without it", key, exc_info=True
            )
            held = False
        else:
            if not held:
                logger.warning(
                    "computing %s after waiting %.1f s for another worker", key, self.wait_s
                )
        try:
            yield
        finally:
            if held:
                try:
                    lock.release()
                except redis.RedisError:  # expired meanwhile, or Redis went away
                    logger.debug("releasing the Redis lock for %s failed", key, exc_info=True)

    def _acquire(self, lock: Lock) -> bool:
        deadline = time.monotonic() + self.wait_s
        pause = self.first_poll_s
        while not lock.acquire(blocking=False):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(2 * pause, self.poll_s)
        return True

    def _redis(self) -> redis.Redis:
        # Made on first use: gunicorn forks its workers after the app is created.
        if self._client is None:
            assert self.redis_url is not None
            self._client = redis.Redis.from_url(
                self.redis_url, socket_timeout=5, socket_connect_timeout=2
            )
        return self._client
