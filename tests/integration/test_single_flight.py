"""A figure that several requests want at once is computed once (``dashboard.single_flight``):
by the threads of one worker, and by workers sharing Redis."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import flask
import pytest
import redis
from flask_caching import Cache
from sqlalchemy import Connection

from dashboard import runtime
from dashboard.single_flight import LOCK_PREFIX, SingleFlight
from tests.conftest import require
from tests.integration.test_result_cache import _runtime

REDIS_URL = "redis://127.0.0.1:6379/14"
SLOW = 0.4  # seconds a computation takes: the other requests arrive meanwhile


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache() -> Cache:
    require(_redis_answers(), "Redis at 127.0.0.1:6379 is not running")
    prefix = f"clinicops-test-{uuid.uuid4().hex[:8]}:"
    cache = Cache(
        config={
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": prefix,
        }
    )
    yield cache
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


class Counted:
    """A slow computation that counts its runs (and can fail on its first)."""

    def __init__(self, fail_first: bool = False) -> None:
        self.runs = 0
        self.fail_first = fail_first
        self._lock = threading.Lock()

    def __call__(self, conn: Connection) -> str:
        with self._lock:
            self.runs += 1
            run = self.runs
        time.sleep(SLOW)
        if self.fail_first and run == 1:
            raise RuntimeError("the first computation failed")
        return f"figure of run {run}"


def _at_once(
    calls: list[Callable[[], str]],
) -> tuple[list[str | None], list[BaseException]]:
    results: list[str | None] = [None] * len(calls)
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except BaseException as error:  # reported to the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def _in_request(
    server: flask.Flask, worker: runtime.Runtime, compute: Counted
) -> Callable[[], str]:
    def call() -> str:
        with server.test_request_context():
            return worker.cached("clinic_figures", compute, "network", "2025")

    return call


def _server(cache: Cache) -> flask.Flask:
    server = flask.Flask(__name__)
    cache.init_app(server)
    return server


def test_the_threads_of_one_worker_compute_a_figure_once(tmp_path: Path) -> None:
    cache = Cache(config={"CACHE_TYPE": "SimpleCache"})
    server = _server(cache)
    worker = _runtime(tmp_path, "db", datetime(2026, 11, 25, 9), cache)
    compute = Counted()
    results, errors = _at_once([_in_request(server, worker, compute)] * 6)
    assert errors == []
    assert compute.runs == 1
    assert results == ["figure of run 1"] * 6


def test_workers_sharing_redis_compute_a_figure_once(tmp_path: Path, redis_cache: Cache) -> None:
    server = _server(redis_cache)
    workers = [
        _runtime(tmp_path, f"worker{i}", datetime(2026, 11, 25, 9), redis_cache) for i in range(2)
    ]
    for worker in workers:  # each worker its own locks, as separate processes have
        worker.single_flight = SingleFlight(redis_url=REDIS_URL)
    compute = Counted()
    results, errors = _at_once(
        [_in_request(server, worker, compute) for worker in workers for _ in range(3)]
    )
    assert errors == []
    assert compute.runs == 1
    assert results == ["figure of run 1"] * 6


def test_when_the_computing_request_fails_the_waiting_ones_compute_in_turn(
    tmp_path: Path,
) -> None:
    cache = Cache(config={"CACHE_TYPE": "SimpleCache"})
    server = _server(cache)
    worker = _runtime(tmp_path, "db", datetime(2026, 11, 25, 9), cache)
    compute = Counted(fail_first=True)
    results, errors = _at_once([_in_request(server, worker, compute)] * 3)
    assert [str(error) for error in errors] == ["the first computation failed"]
    assert compute.runs == 2  # the next waiter computed it, the last read it from the cache
    assert sorted(results, key=str) == [None, "figure of run 2", "figure of run 2"]


def test_a_lock_left_by_a_dead_worker_delays_a_request_by_the_wait_at_most(
    tmp_path: Path, redis_cache: Cache, caplog: pytest.LogCaptureFixture
) -> None:
    server = _server(redis_cache)
    worker = _runtime(tmp_path, "db", datetime(2026, 11, 25, 9), redis_cache)
    worker.single_flight = SingleFlight(redis_url=REDIS_URL, wait_s=0.5)
    client = redis.Redis.from_url(REDIS_URL)
    # Whatever key the figure gets: every lock name is taken, by a worker that died.
    original = client.lock
    try:
        taken = f"{LOCK_PREFIX}{uuid.uuid4().hex}"
        client.set(taken, "dead worker", px=60_000)
        worker.single_flight._client = client
        client.lock = lambda name, **options: original(taken, **options)  # type: ignore[method-assign]
        compute = Counted()
        began = time.monotonic()
        result = _in_request(server, worker, compute)()
        waited = time.monotonic() - began
    finally:
        client.delete(taken)
    assert result == "figure of run 1" and compute.runs == 1
    assert 0.5 <= waited < 0.5 + SLOW + 2.0
    assert "after waiting 0.5 s for another worker" in caplog.text  # said, for whoever looks


def test_without_redis_a_request_computes_instead_of_failing(tmp_path: Path) -> None:
    cache = Cache(config={"CACHE_TYPE": "SimpleCache"})
    server = _server(cache)
    worker = _runtime(tmp_path, "db", datetime(2026, 11, 25, 9), cache)
    worker.single_flight = SingleFlight(redis_url="redis://127.0.0.1:1/0")  # nothing listens
    compute = Counted()
    assert _in_request(server, worker, compute)() == "figure of run 1"
