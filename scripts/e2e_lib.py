"""What the end-to-end harnesses in scripts/ share (podman_e2e.py, ha_e2e.py): a failed
check, an HTTP call that never raises, and a bounded wait. Standard library only."""

import json
import time
import urllib.error
import urllib.request


class Failed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failed(msg)


def http(method, url, body=None, token=None, timeout=5.0, headers=None):
    """(status, headers with lower-case names, parsed body); status 0 when nothing answered."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, raw = r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, {}, None
    try:
        return status, hdrs, json.loads(raw) if raw else None
    except ValueError:
        return status, hdrs, raw.decode(errors="replace")


def wait_until(what, fn, seconds, every=0.25):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(every)
    raise Failed(f"timed out after {seconds}s waiting for {what}")
