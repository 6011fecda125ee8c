"""Measuring for `paperchat bench`: wall and CPU time, percentiles, sampled peak memory,
and the machine the figures were taken on."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psutil

Row = dict[str, Any]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Resident memory of this process and all its children (llama.cpp, chroma)."""
    me = psutil.Process()
    total = 0
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total / 2**20


@contextlib.contextmanager
def peak_rss(memory: Row, stage: str, interval: float = 0.05) -> Iterator[None]:
    """Record RSS at the start and the sampled peak of a stage into `memory[stage]`."""
    start, peak, done = rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        memory[stage] = {"start_mb": round(start), "peak_mb": round(max(peak[0], start))}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def timed_cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Value, wall seconds and this process's CPU seconds (all threads): CPU time barely
    moves when other work shares the machine, so ratios of it are the stable ones."""
    c = time.process_time()
    value, wall = timed(fn)
    return value, wall, time.process_time() - c


def time_each(fn: Callable[[str], object], items: Sequence[str]) -> list[float]:
    """Milliseconds per call."""
    return [timed(partial(fn, item))[1] * 1000 for item in items]


def percentiles(ms: Sequence[float]) -> Row:
    p50, p95 = np.percentile(np.asarray(ms, float), [50, 95])
    return {"n": len(ms), "p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}


def machine() -> Row:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    models = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")]
    return {
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor() or "unknown",
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
