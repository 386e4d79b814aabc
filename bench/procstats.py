"""Peak memory and CPU time of a process tree, from /proc and getrusage (the benchmarks' child side).

PeakSampler sums VmRSS over the process and all its descendants every 50 ms (it catches a score
pool's workers running at the same time) and keeps the last CPU time of each deeper descendant
(a forkserver pool's workers, which getrusage never counts).
"""

from __future__ import annotations

import os
import resource
import threading


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every descendant of `root`, from /proc."""
    stats: dict[int, tuple[int, float]] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    tree, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (parent, cpu) in stats.items():
            if parent == pid and child not in tree:
                tree[child] = (parent, cpu)
                frontier.append(child)
    return tree


class PeakSampler:
    """Highest summed RSS of this process tree, sampled every `interval` seconds in a thread, and
    the last CPU time seen of each grandchild or deeper descendant (a forkserver pool's workers:
    getrusage never counts them, they are not this process's children)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak_kb = interval, 0
        self.deep_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pid = os.getpid()
        tree = _descendants(pid)
        self.peak_kb = max(self.peak_kb, _rss_kb(pid) + sum(_rss_kb(p) for p in tree))
        for child, (parent, cpu) in tree.items():
            if parent != pid:
                self.deep_cpu[child] = cpu

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def cpu_seconds() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
