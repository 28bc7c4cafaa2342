"""Which bureau a host names, remembered per process (the routing middleware's cache)."""

import threading
import time


class HostCache:
    """Which bureau a host names, remembered by each process for a short while.

    Every request looked its host up (a join of domain and bureau in the public schema, and a
    `SET search_path` to reach it): about a tenth of a small API request's time. Hosts change
    hardly ever, and a saved or deleted Domain or Bureau clears this process's entries at once
    (tenants.apps); other processes see the change within TTL seconds. Only routing uses the cached
    row: anything that prices or decides reads the bureau afresh (`tenants.selectors.current_bureau`).
    Unknown hosts are never remembered, so a new bureau answers at once.
    """

    TTL = 30.0

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, object]] = {}

    def get(self, hostname: str):
        entry = self._entries.get(hostname)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, hostname: str, tenant) -> None:
        with self._lock:
            self._entries[hostname] = (time.monotonic() + self.TTL, tenant)

    def clear(self, **_signal_kwargs) -> None:
        with self._lock:
            self._entries.clear()


host_cache = HostCache()
