"""A container's cgroup, read from the host (scripts/podman_e2e.py): its CPU limit and
throttling counters, its pids limit. The atrium image has no `cat`, so the files are read
from outside, through the container's init process (`podman inspect -f '{{.State.Pid}}'`).

Both layouts: cgroup v1, where each controller has its own mount (this machine runs the
hybrid layout: v1 controllers, plus an empty v2 tree at /sys/fs/cgroup/unified), and
cgroup v2, one tree at /sys/fs/cgroup. Standard library only."""

import os


def _read(path):
    with open(path) as f:
        return f.read().strip()


def _mounts():
    with open("/proc/self/mounts") as f:
        for line in f:
            _source, where, kind, options, *_ = line.split()
            yield where, kind, options.split(",")


def controller_dir(pid, controller):
    """(directory holding `controller`'s files for process `pid`, cgroup version)."""
    lines = [line.split(":", 2) for line in _read(f"/proc/{pid}/cgroup").splitlines()]
    for hierarchy, controllers, path in lines:
        if hierarchy != "0" and controller in controllers.split(","):
            for where, kind, options in _mounts():
                if kind == "cgroup" and controller in options:
                    return os.path.join(where, path.lstrip("/")), 1
    for hierarchy, _, path in lines:
        if hierarchy == "0":
            for where, kind, _ in _mounts():
                # Hybrid mode mounts a v2 tree too, but without the controllers v1 holds.
                if kind == "cgroup2" and controller in _read(os.path.join(where, "cgroup.controllers")).split():
                    return os.path.join(where, path.lstrip("/")), 2
    raise LookupError(f"no {controller} cgroup for pid {pid}")


def _stat(path):
    return {k: int(v) for k, v in (line.split() for line in _read(path).splitlines())}


def cpu_limit(pid):
    """(quota µs, period µs, cgroup version), quota None when unlimited."""
    d, version = controller_dir(pid, "cpu")
    if version == 1:
        quota, period = int(_read(f"{d}/cpu.cfs_quota_us")), int(_read(f"{d}/cpu.cfs_period_us"))
        return (None if quota < 0 else quota), period, 1
    quota, period = _read(f"{d}/cpu.max").split()
    return (None if quota == "max" else int(quota)), int(period), 2


def cpu_stat(pid):
    """CFS counters: periods, throttled (periods), throttled_s, and used_s (CPU time)."""
    d, version = controller_dir(pid, "cpu")
    s = _stat(f"{d}/cpu.stat")
    if version == 1:
        acct, _ = controller_dir(pid, "cpuacct")
        # v1 counts throttled time and usage in nanoseconds.
        throttled_s, used_s = s["throttled_time"] / 1e9, int(_read(f"{acct}/cpuacct.usage")) / 1e9
    else:
        throttled_s, used_s = s["throttled_usec"] / 1e6, s["usage_usec"] / 1e6
    return {"periods": s["nr_periods"], "throttled": s["nr_throttled"],
            "throttled_s": throttled_s, "used_s": used_s}


def pids(pid):
    """(pids.max, None when unlimited; pids.current). Threads count as pids."""
    d, _ = controller_dir(pid, "pids")
    limit = _read(f"{d}/pids.max")
    return (None if limit == "max" else int(limit)), int(_read(f"{d}/pids.current"))
