"""Give memory the loaders freed back to the operating system before the dbt build.

`zteco run` executes its jobs in one process (Dagster's in-process executor): the loaders create
millions of short-lived Python objects and Arrow buffers, and once they are freed the C allocators
keep the pages for reuse. The process then sits on that memory, unused, while the dbt subprocess
and its DuckDB (memory_limit from ZTECO_DUCKDB_MEMORY) run beside it — both count in the machine's
peak. ``release_memory`` runs a full garbage collection, returns Arrow's unused pool memory and asks
glibc to trim its heap (``malloc_trim``: free pages in the middle of the heap too, not only at its top).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from dataclasses import dataclass


def rss_mib() -> float:
    """Resident set size of this process, MiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _malloc_trim() -> bool:
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))


@dataclass(frozen=True)
class Released:
    before_mib: float
    after_mib: float

    @property
    def released_mib(self) -> float:
        return max(0.0, self.before_mib - self.after_mib)

    def __str__(self) -> str:
        return f"process memory {self.before_mib:,.0f} MiB -> {self.after_mib:,.0f} MiB"


def release_memory() -> Released:
    """Collect garbage and return freed memory to the OS; says the RSS before and after."""
    before = rss_mib()
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - best effort: an old pyarrow or a pool without the call
        pass
    _malloc_trim()
    return Released(before, rss_mib())
