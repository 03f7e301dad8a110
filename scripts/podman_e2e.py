#!/usr/bin/env python3
"""End-to-end tests of the Atrium Pod under real Podman, run by scripts/podman-e2e.

The pod is already playing (scripts/podman-e2e plays it and removes it afterwards, by
name, whatever happens here). Each case breaks or uses the pod through its published
ports and `podman`, and checks what a user would see. Podman 4.3 schedules no health
checks without systemd, so the cases drive `podman healthcheck run` on the probe period
themselves, as systemd's timer would.

Prints one line per case and ends with "N passed, N failed"; exits 1 if any failed.
Standard library only.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import cgroups
from e2e_lib import Failed, expect, http, wait_until

POD = os.environ["POD"]
YAML = os.environ["POD_YAML"]
API = os.environ["API"]
CONTROL = os.environ["CONTROL"]
CLICKHOUSE = os.environ["CLICKHOUSE"]
# ClickHouse refuses anyone without a password; the harness looks as the admin.
CLICKHOUSE_AUTH = {"X-ClickHouse-User": "default", "X-ClickHouse-Key": os.environ["CLICKHOUSE_PASSWORD"]}
ADMIN = os.environ["ADMIN_TOKEN"]
ROOT = os.environ["ROOT"]
# The api container's liveness probe in deploy/podman/atrium.yaml.
PERIOD, THRESHOLD, PROBE_TIMEOUT = 5, 3, 2
# Podman 4.3 ignores terminationGracePeriodSeconds: a process that ignores SIGTERM
# (a wedged one does) is killed after 10 s.
STOP_GRACE = 10
SLACK = 8


# scripts/podman-e2e --rootless: every podman command as the unprivileged user, through
# the same wrapper an operator uses (scripts/podman-rootless).
ROOTLESS = os.environ.get("ROOTLESS") == "1"
PODMAN = [f"{ROOT}/scripts/podman-rootless"] if ROOTLESS else ["podman"]


def podman(*args, check=True):
    r = subprocess.run([*PODMAN, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Failed(f"podman {' '.join(args)}: {r.stderr.strip()}")
    return r


def container(name):
    return f"{POD}-{name}"


def started_at(name):
    return podman("inspect", container(name), "--format", "{{.State.StartedAt}}").stdout.strip()


def restarts(name):
    return int(podman("inspect", container(name), "--format", "{{.RestartCount}}").stdout.strip())


def healthcheck(name):
    return podman("healthcheck", "run", container(name), check=False).returncode == 0


def others_untouched(skip, before):
    moved = [c for c, at in before.items() if c != skip and started_at(c) != at]
    expect(not moved, f"containers restarted that should not have: {moved}")


def all_started():
    return {c: started_at(c) for c in ("postgres", "clickhouse", "control", "api", "collector")}


def drive_liveness(name, until, seconds):
    """Runs the container's liveness check every PERIOD s (as systemd's timer would)
    until `until()` holds. A restart triggered by the check blocks `healthcheck run`
    until the container is started again, as it does under systemd."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tick = time.monotonic()
        healthcheck(name)
        while time.monotonic() < min(tick + PERIOD, end):
            if until():
                return
            time.sleep(0.25)
    raise Failed(f"{name} did not recover within {seconds}s")


# --- tenant helpers -------------------------------------------------------------------

def new_tenant(slug):
    s, _, b = http("POST", f"{CONTROL}/v1/tenants", {"slug": slug, "plan": "pro"}, ADMIN, timeout=30)
    expect(s in (200, 201), f"create tenant {slug}: {s} {b}")
    s, _, b = http("POST", f"{CONTROL}/v1/tenants/{slug}/keys", {"name": "e2e"}, ADMIN)
    expect(s == 201, f"create key for {slug}: {s} {b}")
    return {"slug": slug, "key": b["secret"]}


def api(t, method, path, body=None, headers=None):
    return http(method, f"{API}/v1/t/{t['slug']}{path}", body, t["key"], headers=headers)


def send_events(t, events, pause=0.0):
    """Posts in batches of 50, honouring 429 Retry-After. A retried batch carries the same
    event ids, so a retry is idempotent."""
    for i in range(0, len(events), 50):
        time.sleep(pause)
        batch = {"events": events[i:i + 50]}
        for _ in range(60):
            s, h, b = api(t, "POST", "/events", batch)
            if s == 202:
                break
            expect(s in (429, 0), f"events batch: {s} {b}")
            time.sleep(float(h.get("retry-after", "1")) if s == 429 else 0.5)
        else:
            raise Failed("events batch never accepted")


def events(name, n, path="/e2e"):
    return [{"event_id": str(uuid.uuid4()), "name": name, "actor": f"user-{i % 7}",
             "session_id": f"s-{i % 11}", "path": path} for i in range(n)]


def counted(t, name):
    s, _, b = api(t, "GET", f"/analytics/trends?name={name}&interval=hour")
    return sum(x["n"] for x in b) if s == 200 else -1


def wait_counted(t, name, n, seconds=60):
    wait_until(f"{n} '{name}' events in the dashboard (last {counted(t, name)})",
               lambda: counted(t, name) == n, seconds, every=0.5)
    # Exactly once: the count stays put once delivery has caught up.
    time.sleep(2)
    got = counted(t, name)
    expect(got == n, f"'{name}' counted {got} times after settling, expected {n}")


def raw_rows(t, name):
    q = (f"SELECT count(), uniqExact(event_id) FROM atrium.events "
         f"WHERE tenant = '{t['slug']}' AND name = '{name}' FORMAT JSONCompact")
    req = urllib.request.Request(CLICKHOUSE + "/", data=q.encode(), method="POST",
                                 headers=CLICKHOUSE_AUTH)
    with urllib.request.urlopen(req, timeout=5) as r:
        rows, uniq = json.loads(r.read())["data"][0]
    return int(rows), int(uniq)


# --- cases ---------------------------------------------------------------------------

STATE = {}


def case_crm_and_dashboards_through_the_pod():
    t = new_tenant("e2e_acme")
    STATE["acme"] = t
    s, _, c = api(t, "POST", "/customers", {"name": "Acme Rockets"})
    expect(s == 201, f"create customer: {s} {c}")
    s, _, got = api(t, "GET", f"/customers/{c['id']}")
    expect(s == 200 and got["name"] == "Acme Rockets", f"read customer back: {s} {got}")
    s, _, d = api(t, "POST", "/deals", {"customer_id": c["id"], "title": "Rocket fuel",
                                        "amount_cents": 990000, "currency": "EUR"})
    expect(s == 201, f"create deal: {s} {d}")
    s, _, d2 = api(t, "POST", f"/deals/{d['id']}/stage", {"stage": "won"})
    expect(s == 200 and d2["stage"] == "won", f"stage change: {s} {d2}")
    STATE["customer"] = c["id"]
    send_events(t, events("pageview", 50, "/pricing"))
    wait_counted(t, "pageview", 50)
    wait_counted(t, "deal_stage_changed", 1)
    s, _, pages = api(t, "GET", "/analytics/top-pages")
    expect(s == 200 and any(p.get("route") == "/pricing" for p in pages), f"top pages: {s} {pages}")
    return "customer + deal → won, 50 pageviews and the stage change counted once in the dashboards"


def case_atrium_containers_are_locked_down():
    size = int(podman("image", "inspect", "localhost/atrium:dev", "--format", "{{.Size}}").stdout)
    expect(size < 25 * 10**6, f"the atrium image is {size} bytes, over 25 MB")
    for c in ("control", "api", "collector"):
        f = podman("inspect", container(c), "--format",
                   "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.EffectiveCaps}}").stdout.split(maxsplit=2)
        expect(f[0] == "true", f"{c}: root filesystem is not read-only")
        expect(f[1].split(":")[0] == "65532", f"{c}: runs as {f[1]}")
        expect(f[2].strip() in ("[]", "<no value>"), f"{c}: capabilities {f[2]}")
        r = podman("exec", container(c), "/bin/sh", "-c", "touch /probe-write", check=False)
        expect(r.returncode != 0, f"{c}: could write to its root filesystem")
    for url, entry in ((API, "/app/t/e2e_acme"), (CONTROL, "/console")):
        s, h, _ = http("GET", url + entry)
        expect(s == 200 and "default-src 'self'" in h.get("content-security-policy", ""), f"{entry}: {s} {h}")
    return (f"image {size / 1e6:.1f} MB with the web app (/app and /console served, strict CSP); "
            f"control, api, collector: read-only root, uid 65532, no capabilities, and still healthy")


def case_clickhouse_credentials_are_required_in_the_pod():
    s, _, body = http("POST", CLICKHOUSE + "/?query=SELECT%201")
    expect(s not in (0, 200), f"ClickHouse answered without a password: {s} {body}")
    s, _, body = http("POST", CLICKHOUSE + "/?query=SELECT%201",
                      headers={"X-ClickHouse-User": "readonly"})
    expect(s not in (0, 200), f"the stock passwordless user got in: {s} {body}")
    s, _, _ = http("POST", CLICKHOUSE + "/?query=SELECT%201", headers=CLICKHOUSE_AUTH)
    expect(s == 200, f"the admin was refused: {s}")
    return "no password, no answer; the stock passwordless user is gone; the admin gets in"


def case_metrics_only_inside_the_pod_and_chaos_needs_the_token():
    for url in (API, CONTROL):
        s, _, _ = http("GET", url + "/metrics")
        expect(s == 404, f"{url}/metrics answered {s} on the published port")
    for c, port in (("api", 9464), ("control", 9465), ("collector", 9466)):
        r = podman("exec", container(c), "atrium", "healthcheck", f"http://127.0.0.1:{port}/metrics",
                   check=False)
        expect(r.returncode == 0, f"{c}: no /metrics on its internal port {port}: {r.stderr}")
    s, _, _ = http("POST", f"{API}/chaos/burn?seconds=1")
    expect(s == 401, f"/chaos/burn without the admin token answered {s}")
    return ("/metrics 404 on the published ports, 200 on 127.0.0.1:9464/9465/9466 inside the Pod; "
            "chaos without the admin token 401")


def case_k6_short_run_passes_thresholds():
    summary = os.path.join(os.environ["TMP"], "k6-summary.json")
    env = dict(os.environ, SHORT="1", TENANTS="10", API=API, CONTROL=CONTROL, ADMIN_TOKEN=ADMIN)
    r = subprocess.run(["k6", "run", "--quiet", "--no-color", f"--summary-export={summary}",
                        os.path.join(ROOT, "loadtest/k6/crm-mix.js")],
                       env=env, capture_output=True, text=True, timeout=180)
    m = json.load(open(summary))["metrics"] if os.path.exists(summary) else {}
    reqs = m.get("http_reqs", {}).get("count", 0)
    failed = m.get("http_req_failed", {}).get("value", m.get("http_req_failed", {}).get("rate"))
    p95 = m.get("http_req_duration", {}).get("p(95)")
    expect(r.returncode == 0, f"k6 exited {r.returncode} (99 = thresholds crossed)\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}")
    avgs = {k.split("tenant:")[1].rstrip("}"): v["avg"] for k, v in m.items()
            if k.startswith("http_req_duration{tenant:") and "avg" in v}
    expect(len(avgs) == 10, f"per-tenant durations for {len(avgs)} tenants, not 10: {sorted(avgs)}")
    return (f"{reqs} requests, failed rate {failed}, p95 {p95:.1f} ms; per-tenant average "
            f"{min(avgs.values()):.1f} to {max(avgs.values()):.1f} ms over {len(avgs)} tenants (k6 --summary-export)")


def case_k6_noisy_neighbour_leaves_the_quiet_tenant_alone():
    summary = os.path.join(os.environ["TMP"], "k6-noisy.json")
    env = dict(os.environ, SHORT="1", API=API, CONTROL=CONTROL, ADMIN_TOKEN=ADMIN)
    r = subprocess.run(["k6", "run", "--quiet", "--no-color", f"--summary-export={summary}",
                        os.path.join(ROOT, "loadtest/k6/noisy-neighbour.js")],
                       env=env, capture_output=True, text=True, timeout=120)
    m = json.load(open(summary))["metrics"] if os.path.exists(summary) else {}
    quiet = m.get("http_req_duration{tenant:quiet}", {})
    refused = m.get("refused{tenant:noisy}", m.get("refused", {})).get("count", 0)
    expect(r.returncode == 0, f"k6 exited {r.returncode} (99 = thresholds crossed)\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}")
    return (f"quiet tenant p95 {quiet.get('p(95)', 0):.1f} ms, p99 {quiet.get('p(99)', 0):.1f} ms, "
            f"failed rate {m.get('http_req_failed{tenant:quiet}', {}).get('value', '?')}; "
            f"noisy tenant refused {refused} times, never 5xx (k6 --summary-export)")


def case_collector_killed_and_stopped_delivers_each_event_once():
    t = STATE["acme"]
    name = "delivery_probe"
    batch = events(name, 1500)
    before = restarts("collector")
    # Crash: SIGKILL from outside while batches are flowing, as the kernel or a crash
    # would (`podman kill` counts as a user stop, which the restart policy honours).
    sender = threading.Thread(target=send_events, args=(t, batch[:1000], 0.1))
    sender.start()
    time.sleep(1.0)
    pid = int(podman("inspect", container("collector"), "--format", "{{.State.Pid}}").stdout)
    os.kill(pid, signal.SIGKILL)
    expect(sender.is_alive(), "the batches were all sent before the kill; nothing was in flight")
    sender.join()
    wait_until("the collector to be restarted by its policy", lambda: restarts("collector") > before, 20)
    after = restarts("collector")
    # Down: events written while no collector runs wait in the spool.
    podman("stop", container("collector"))
    send_events(t, batch[1000:])
    time.sleep(1)
    expect(counted(t, name) <= 1000, "events were shipped while the collector was stopped")
    podman("start", container("collector"))
    wait_counted(t, name, 1500, seconds=90)
    STATE["delivered"] = 1500
    rows, uniq = raw_rows(t, name)
    expect(uniq == 1500, f"ClickHouse holds {uniq} distinct ids, expected 1500")
    return (f"1500 events (1000 across a SIGKILL, 500 while stopped) counted exactly 1500; "
            f"raw rows {rows}, distinct ids {uniq}; restarted by its policy (RestartCount {before}→{after})")


def case_postgres_down_readyz_503_livez_200():
    before = all_started()
    podman("stop", container("postgres"))
    try:
        t0 = time.monotonic()
        s, _, body = wait_until("/readyz to turn 503",
                                lambda: (lambda r: r if r[0] == 503 else None)(http("GET", f"{API}/readyz")), 10)
        not_ready_after = time.monotonic() - t0
        s, _, _ = http("GET", f"{API}/livez")
        expect(s == 200, f"/livez answered {s} while PostgreSQL was down")
        expect(healthcheck("api"), "the api's liveness check failed while PostgreSQL was down")
    finally:
        podman("start", container("postgres"))
    t1 = time.monotonic()
    wait_until("/readyz to turn 200 again", lambda: http("GET", f"{API}/readyz")[0] == 200, 60)
    back_after = time.monotonic() - t1
    expect(started_at("api") == before["api"], "the api was restarted")
    s, _, _ = api(STATE["acme"], "GET", f"/customers/{STATE['customer']}")
    expect(s == 200, f"CRM read after PostgreSQL came back: {s}")
    reason = body.get("detail") or body if isinstance(body, dict) else body
    return (f"readyz 503 after {not_ready_after:.1f}s ({reason}), livez 200; "
            f"readyz 200 {back_after:.1f}s after PostgreSQL restarted, api not restarted")


def container_pid(name):
    return int(podman("inspect", container(name), "--format", "{{.State.Pid}}").stdout)


def case_cpu_throttling_is_visible():
    """More burning threads than the api's CPU limit: the kernel throttles the container,
    its cgroup's counters (read from the host) say so, and liveness keeps answering."""
    pid = container_pid("api")
    quota, period, version = cgroups.cpu_limit(pid)
    expect(quota is not None, "the api container has no CPU limit")
    cpus = quota / period
    threads, seconds = 3, 4
    expect(threads > cpus, f"{threads} threads can't exceed a limit of {cpus:g} CPUs")
    before = cgroups.cpu_stat(pid)
    s, _, b = http("POST", f"{API}/chaos/burn?seconds={seconds}&threads={threads}", token=ADMIN)
    expect(s == 202 and b.get("threads") == threads, f"/chaos/burn answered {s} {b}")
    t0 = time.monotonic()
    slowest, probed = 0.0, False
    # Until the burn is over, so no later case runs beside it.
    while time.monotonic() - t0 < seconds + 0.5:
        t = time.monotonic()
        got = http("GET", f"{API}/livez", timeout=PROBE_TIMEOUT)[0]
        slowest = max(slowest, time.monotonic() - t)
        expect(got == 200, f"/livez answered {got} during the burn")
        if not probed and time.monotonic() - t0 > seconds / 2:
            expect(healthcheck("api"), "the api's liveness check failed during the burn")
            probed = True
        time.sleep(0.25)
    after = cgroups.cpu_stat(pid)
    d = {k: after[k] - before[k] for k in after}
    expect(d["throttled"] >= 1, f"no period throttled: before {before}, after {after}")
    return (f"limit {cpus:g} CPU (quota {quota}/{period} µs, cgroup v{version}); {threads} threads × "
            f"{seconds} s: {d['throttled']} of {d['periods']} periods throttled, {d['throttled_s']:.2f} s "
            f"throttled, {d['used_s']:.2f} CPU-s used by the container during the {seconds} s burn "
            f"({d['used_s'] / seconds:.2f} CPUs); "
            f"/livez 200 throughout (slowest {slowest * 1000:.0f} ms), liveness check passed")


def case_pids_limit_is_recorded_and_podman_run_enforces_one():
    """Podman 4.3's kube play sets no pids limit (the containers.conf default reaches
    `podman run` only; the kube annotation came in Podman 5.5): records what each
    container gets, and shows that `podman run --pids-limit` is enforced here."""
    seen = []
    for c in ("postgres", "clickhouse", "control", "api", "collector"):
        inspected = int(podman("inspect", container(c), "--format", "{{.HostConfig.PidsLimit}}").stdout)
        limit, current = cgroups.pids(container_pid(c))
        expect((inspected or None) == limit, f"{c}: podman says pids limit {inspected}, the cgroup {limit}")
        seen.append(f"{c} {limit or 'max'} ({current} in use)")
    cap = 16
    r = podman("run", "--rm", "--name", container("pids-probe"), "--network", "none",
               "--pids-limit", str(cap), "--entrypoint", "/bin/sh", "localhost/atrium:dev", "-c",
               "i=0; while [ $i -lt 40 ]; do sleep 2 & i=$((i+1)); echo $i; done", check=False)
    forked = int((r.stdout.split() or ["0"])[-1])
    expect("can't fork" in r.stderr and forked < cap,
           f"--pids-limit {cap}: {forked} processes started, stderr {r.stderr.strip()!r}")
    return (f"kube play pids.max: {', '.join(seen)}; podman run --pids-limit {cap}: "
            f"{forked} sleeps + the shell, then \"can't fork\"")


def case_hang_is_healed_by_liveness():
    before = all_started()
    s, _, _ = http("POST", f"{API}/chaos/hang", token=ADMIN)
    expect(s == 202, f"/chaos/hang answered {s}")
    t0 = time.monotonic()
    time.sleep(0.5)
    expect(http("GET", f"{API}/livez", timeout=1)[0] == 0, "the api still answered after the hang")
    bound = PERIOD * THRESHOLD + PROBE_TIMEOUT + STOP_GRACE + SLACK
    drive_liveness("api", lambda: started_at("api") != before["api"]
                   and http("GET", f"{API}/livez", timeout=1)[0] == 200, bound)
    took = time.monotonic() - t0
    wait_until("/readyz 200", lambda: http("GET", f"{API}/readyz")[0] == 200, 10)
    others_untouched("api", before)
    return (f"serving again {took:.1f}s after the hang (bound {bound}s = {PERIOD}s × {THRESHOLD} "
            f"+ {PROBE_TIMEOUT}s probe timeout + {STOP_GRACE}s stop grace + {SLACK}s)")


def memcg_oom_kills():
    dmesg = subprocess.run(["dmesg"], capture_output=True, text=True)
    return dmesg.stdout.count("Memory cgroup out of memory") if dmesg.returncode == 0 else None


def case_leak_is_killed_at_the_memory_limit_and_restarted():
    before = all_started()
    count = restarts("api")
    limit = int(podman("inspect", container("api"), "--format", "{{.HostConfig.Memory}}").stdout)
    since = time.strftime("%Y-%m-%dT%H:%M:%S")
    kills = memcg_oom_kills()
    s, _, _ = http("POST", f"{API}/chaos/leak", token=ADMIN)
    expect(s == 202, f"/chaos/leak answered {s}")
    t0 = time.monotonic()
    wait_until("the api to be killed and restarted", lambda: restarts("api") > count, 30)
    died = podman("events", "--stream=false", "--since", since, "--filter", f"container={container('api')}",
                  "--filter", "event=died", "--format", "{{.ContainerExitCode}}").stdout.split()
    expect("137" in died, f"expected exit code 137 (SIGKILL by the memory cgroup), saw {died}")
    wait_until("/livez 200 after the restart", lambda: http("GET", f"{API}/livez", timeout=1)[0] == 200, 30)
    took = time.monotonic() - t0
    others_untouched("api", before)
    # Podman 4.3 never sets State.OOMKilled; the kernel log says who killed it, when readable.
    oom = ", kernel log: a new memcg OOM kill" if kills is not None and memcg_oom_kills() > kills else ""
    return (f"exit 137 at the {limit // 2**20} MiB limit{oom}, RestartCount {count}→{restarts('api')}, "
            f"serving again {took:.1f}s after the leak; other containers untouched")


def unit_command(key):
    """ExecStart= / ExecStop= of the systemd unit users install on Podman 4.3, pointed at
    this pod's YAML, so the test runs exactly what systemd would."""
    unit = open(os.path.join(ROOT, "deploy/quadlet/atrium-pod.service")).read().splitlines()
    line = next(x for x in unit if x.startswith(f"{key}="))
    return line.split("=", 1)[1].replace("/etc/atrium/atrium.yaml", YAML).split()


def case_data_survives_kube_down_and_play():
    t = STATE["acme"]
    down = subprocess.run(unit_command("ExecStop"), capture_output=True, text=True)
    expect(down.returncode == 0, f"ExecStop: {down.stderr}")
    t0 = time.monotonic()
    play = subprocess.run(unit_command("ExecStart"), capture_output=True, text=True)
    expect(play.returncode == 0, f"ExecStart: {play.stderr}")
    for c in ("postgres", "clickhouse", "control", "api", "collector"):
        wait_until(f"{c} healthy", lambda c=c: healthcheck(c), 90, every=1)
    took = time.monotonic() - t0
    s, _, c = api(t, "GET", f"/customers/{STATE['customer']}")
    expect(s == 200 and c["name"] == "Acme Rockets", f"customer after replay: {s} {c}")
    wait_counted(t, "pageview", 50, seconds=30)
    delivered = STATE.get("delivered", 0)
    if delivered:
        wait_counted(t, "delivery_probe", delivered, seconds=30)
    return (f"down and up again with atrium-pod.service's ExecStop/ExecStart: healthy {took:.1f}s "
            f"after the play; customer, 50 pageviews and {delivered} delivery probes still there")


CASES = [
    case_crm_and_dashboards_through_the_pod,
    case_atrium_containers_are_locked_down,
    case_clickhouse_credentials_are_required_in_the_pod,


    case_metrics_only_inside_the_pod_and_chaos_needs_the_token,
    case_k6_short_run_passes_thresholds,
    case_k6_noisy_neighbour_leaves_the_quiet_tenant_alone,
    case_collector_killed_and_stopped_delivers_each_event_once,
    case_postgres_down_readyz_503_livez_200,
    case_cpu_throttling_is_visible,
    case_pids_limit_is_recorded_and_podman_run_enforces_one,
    case_hang_is_healed_by_liveness,
    case_leak_is_killed_at_the_memory_limit_and_restarted,
    case_data_survives_kube_down_and_play,
]


def main():
    # conmon inherits the working directory of `kube play` and drops an `oom` file there
    # when a container is OOM-killed: keep that out of the checkout.
    os.chdir(os.environ["TMP"])
    only = set(sys.argv[1:])
    passed = failed = 0
    for case in CASES:
        name = case.__name__.removeprefix("case_")
        # The first case makes the tenant and data the others use, so it always runs.
        if only and name not in only and case is not CASES[0]:
            continue
        t0 = time.monotonic()
        try:
            detail = case()
            passed += 1
            print(f"ok   {name} ({time.monotonic() - t0:.1f}s): {detail}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next case runs
            failed += 1
            print(f"FAIL {name} ({time.monotonic() - t0:.1f}s): {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
