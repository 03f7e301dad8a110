#!/usr/bin/env bash
# Shared by scripts/podman-up and scripts/podman-e2e. Sourced after lib.sh, not run.
# One Pod YAML (deploy/podman/atrium.yaml) serves both: the e2e harness plays it under
# another name and other host ports, so a developer's running pod is left alone.

# Podman 4.3 here needs runc and cgroupfs (crun fails on this hybrid cgroup setup), and
# default_ulimits = [] because CONTAINERS_CONF replaces the system file.
export CONTAINERS_CONF="$STATE/podman/containers.conf"
mkdir -p "$STATE/podman"
[ -f "$CONTAINERS_CONF" ] || cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF

POD_CONTAINERS="postgres clickhouse control api collector"

# pod_render OUT POD PORT_DIGIT CHAOS: the deploy YAML with the local images swapped in
# (no registry here), pod/volume/secret names prefixed with POD, the first digit of every
# host port replaced by PORT_DIGIT (1 keeps 18080, 2 gives 28080), and the chaos
# endpoints switched on in the api when CHAOS is non-empty. Chaos is refused in
# production, so that api runs as a development one; the chaos routes need the admin
# token, so it gets that too.
pod_render() {
  local out="$1" pod="$2" digit="$3" chaos="$4"
  # 6 would make 68080, past the last port (65535).
  case "$digit" in [1-5]) ;; *) die "pod_render: the port digit is 1 to 5, not $digit" ;; esac
  sed -e 's|docker.io/library/postgres:16|localhost/atrium-postgres:15|' \
      -e 's|docker.io/clickhouse/clickhouse-server:24.8|localhost/atrium-clickhouse:18|' \
      -e "s|^  name: atrium\$|  name: $pod|" \
      -e "s|^  name: atrium-bootstrap\$|  name: $pod-bootstrap|" \
      -e "s|claimName: atrium-|claimName: $pod-|" \
      -e "s|name: atrium-secrets|name: $pod-secrets|" \
      -e "s|hostPort: 1\([0-9]\{4\}\)|hostPort: $digit\1|" \
      "$ROOT/deploy/podman/atrium.yaml" > "$out"
  if [ -n "$chaos" ]; then
    sed -i 's|        - {name: ATRIUM_API__LISTEN, value: "0.0.0.0:8080"}|&\n        - {name: ATRIUM_CHAOS, value: "true"}\n        - {name: ATRIUM_ENVIRONMENT, value: development}\n        - name: ATRIUM_CONTROL__ADMIN_TOKEN\n          valueFrom:\n            secretKeyRef: {name: '"$pod"'-secrets, key: admin-token}|' "$out"
    grep -q ATRIUM_CHAOS "$out" || die "could not switch chaos on in $out"
  fi
}

# pod_secrets FILE: development-only passwords, generated once and kept (mode 600).
pod_secrets() {
  local file="$1"
  if [ ! -f "$file" ]; then
    rnd() { head -c 18 /dev/urandom | base64 | tr -d '/+=' ; }
    (umask 077; printf 'SUPER=%s\nCTL=%s\nAPI=%s\nADMIN=%s\nSALT=%s\n' \
      "$(rnd)" "$(rnd)" "$(rnd)" "$(rnd)" "$(rnd)" > "$file")
  fi
  # Added later: a file from before them gets them appended.
  if ! grep -q '^CH_ADMIN=' "$file"; then
    (umask 077; printf 'CH_ADMIN=%s\nCH_READER=%s\nCH_WRITER=%s\n' "$(rnd)" "$(rnd)" "$(rnd)" >> "$file")
  fi
}

# pod_secret_create NAME FILE PORT_DIGIT: the podman secret the YAML's secretKeyRefs read.
# Podman 4.3 reads secretKeyRef only from a JSON object of base64 values (podman #16269).
# The superuser URL is for the bootstrap pod, on the host's network: it points at the
# PostgreSQL port the atrium pod publishes (PORT_DIGIT as in pod_render).
pod_secret_create() {
  local name="$1" file="$2" digit="${3:-1}" SUPER CTL API ADMIN SALT CH_ADMIN CH_READER CH_WRITER
  # shellcheck disable=SC1090
  . "$file"
  b64() { printf %s "$1" | base64 -w0; }
  podman secret rm "$name" >/dev/null 2>&1 || true
  printf '{"postgres-password":"%s","superuser-url":"%s","control-database-url":"%s","api-database-url":"%s","admin-token":"%s","mask-salt":"%s","clickhouse-admin-password":"%s","clickhouse-reader-password":"%s","clickhouse-writer-password":"%s"}' \
    "$(b64 "$SUPER")" "$(b64 "postgres://postgres:$SUPER@127.0.0.1:${digit}5432/postgres")" \
    "$(b64 "postgres://atrium_ctl:$CTL@127.0.0.1:5432/atrium")" "$(b64 "postgres://atrium_api:$API@127.0.0.1:5432/atrium")" \
    "$(b64 "$ADMIN")" "$(b64 "$SALT")" \
    "$(b64 "$CH_ADMIN")" "$(b64 "$CH_READER")" "$(b64 "$CH_WRITER")" | podman secret create "$name" - >/dev/null
}

# pod_play YAML: Podman 4.3 prints "unable to get systemd connection" with no systemd;
# the play still works, so that line is filtered out. It runs from the YAML's directory
# because conmon inherits the working directory and drops an `oom` marker file there
# when the kernel OOM-kills a container.
pod_play() {
  (cd "$(dirname "$1")" || exit; podman kube play "$1" 2>&1 | grep -v systemd || true)
}

# pod_wait_healthy POD SECONDS: drives every liveness check (nothing schedules them
# without systemd) until all pass. Prints the seconds it took.
pod_wait_healthy() {
  local pod="$1" secs="$2" start ok c
  start=$(date +%s)
  while :; do
    ok=0
    for c in $POD_CONTAINERS; do
      podman healthcheck run "$pod-$c" >/dev/null 2>&1 && ok=$((ok + 1))
    done
    [ "$ok" = 5 ] && break
    [ $(( $(date +%s) - start )) -ge "$secs" ] && die "only $ok of 5 containers of $pod became healthy within ${secs}s; see podman logs $pod-<name>"
    sleep 1
  done
  echo $(( $(date +%s) - start ))
}

# Rootless (scripts/podman-up --rootless, scripts/podman-e2e --rootless; docs/learn,
# chapter 16): the same Pod, played by an unprivileged user. What that needs on Debian 12
# without systemd, done here: uidmap (newuidmap/newgidmap), slirp4netns (the user's
# network), a user with subordinate uid and gid ranges, a runtime directory of its own
# (systemd-logind would make /run/user/UID), and /dev/net/tun readable by it (0600 here).
ROOTLESS_USER="${ATRIUM_ROOTLESS_USER:-atrium-rootless}"
ROOTLESS=""

rootless_prepare() {
  ensure_packages uidmap slirp4netns fuse-overlayfs
  if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    log "creating the unprivileged user $ROOTLESS_USER"
    useradd --create-home --shell /usr/sbin/nologin "$ROOTLESS_USER"
  fi
  local f start
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q "^$ROOTLESS_USER:" "$f"; then
      # The first range after every range already given out.
      start="$(awk -F: 'BEGIN { m = 100000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }' "$f")"
      echo "$ROOTLESS_USER:$start:65536" >> "$f"
      log "gave $ROOTLESS_USER the subordinate ids $start-$((start + 65535)) in $f"
    fi
  done
  if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    log "making /dev/net/tun usable by unprivileged users: rootless networking (slirp4netns) opens it"
    chmod 0666 /dev/net/tun
  fi
  ROOTLESS_UID="$(id -u "$ROOTLESS_USER")"
  ROOTLESS_HOME="$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)"
  ROOTLESS_RUN="/tmp/atrium-rootless-run-$ROOTLESS_UID"
  # Where the user's rendered YAML goes, and podman's working directory (conmon drops an
  # `oom` marker there): the checkout may not be readable by another user.
  ROOTLESS_WORK="/tmp/atrium-rootless-work-$ROOTLESS_UID"
  install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$ROOTLESS_RUN" "$ROOTLESS_WORK" \
    "$ROOTLESS_HOME/.config" "$ROOTLESS_HOME/.config/containers"
  install -m 0644 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$CONTAINERS_CONF" "$ROOTLESS_HOME/.config/containers/containers.conf"
  ROOTLESS=1
  export ROOTLESS ROOTLESS_USER ROOTLESS_HOME ROOTLESS_RUN ROOTLESS_WORK
}

# Every `podman` of these scripts: as the unprivileged user once rootless_prepare ran.
podman() {
  if [ -n "$ROOTLESS" ]; then
    (cd "$ROOTLESS_WORK" && runuser -u "$ROOTLESS_USER" -- env -i HOME="$ROOTLESS_HOME" \
      XDG_RUNTIME_DIR="$ROOTLESS_RUN" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      CONTAINERS_CONF="$ROOTLESS_HOME/.config/containers/containers.conf" podman "$@")
  else
    command podman "$@"
  fi
}

# rootless_render YAML: what a rootless play needs changed in a rendered YAML. On cgroup v1
# (this host) a rootless container can be given no resource limits: runc refuses to start
# it ("cannot set memory limit"), so the limits are taken out, and said so.
rootless_render() {
  chown "$ROOTLESS_USER" "$1"
  [ -f /sys/fs/cgroup/cgroup.controllers ] && return 0
  log "cgroup v1: rootless containers can have no resource limits here; playing the Pod without them"
  sed -i '/^      resources:$/,+2d' "$1"
}

# The images root built, copied into the user's own store where they differ.
rootless_images() {
  local image mine theirs
  for image in localhost/atrium:dev localhost/atrium-postgres:15 localhost/atrium-clickhouse:18; do
    mine="$(command podman image inspect --format '{{.Id}}' "$image")"
    theirs="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
    if [ "$mine" != "$theirs" ]; then
      log "copying $image into $ROOTLESS_USER's image store"
      command podman save "$image" | podman load -q >/dev/null
    fi
  done
}
