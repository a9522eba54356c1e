# Shared helpers for the bats suite (modelled on podman's test/system/helpers.bash).
# Tests run as root against the real kernel and the real data root; every test
# removes what it created, and leak checks compare the host before and after.

bats_require_minimum_version 1.5.0

PROJECT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
DUCKER="$PROJECT/ducker"
export DUCKER_ROOT=${DUCKER_ROOT:-/var/lib/ducker}
ALPINE_OFFICIAL=$(grep -q 'ID=alpine' <(tar -xzOf "$PROJECT/assets/alpine-minirootfs-3.20.3-x86_64.tar.gz" ./etc/os-release 2>/dev/null) && echo 1 || echo 0)

# d [--rc=N|--rc=any] ARGS...: run ducker under a timeout; check the exit code
# (default 0). Sets $output (stdout+stderr), $status, and $lines.
d() {
  local rc=0
  case "$1" in --rc=*) rc=${1#--rc=}; shift ;; esac
  local flag=()
  [[ $rc == 127 ]] && flag=(-127)  # bats warns about 127 unless told it is expected
  run "${flag[@]}" timeout --foreground -k 5 90 "$DUCKER" "$@"
  if [[ $rc != any && $status -ne $rc ]]; then
    echo "# ducker $* exited $status, expected $rc" >&2
    echo "$output" | sed 's/^/#  | /' >&2
    return 1
  fi
}

# Same, with stdout and stderr apart ($output is stdout, $stderr is stderr).
ds() {
  local rc=0
  case "$1" in --rc=*) rc=${1#--rc=}; shift ;; esac
  run --separate-stderr timeout --foreground -k 5 90 "$DUCKER" "$@"
  if [[ $rc != any && $status -ne $rc ]]; then
    echo "# ducker $* exited $status, expected $rc" >&2
    echo "$output" "$stderr" | sed 's/^/#  | /' >&2
    return 1
  fi
}

# A unique, valid name for anything a test creates (veth-safe: short).
safename() { printf 'bt%s%s' "$(printf '%03d' "${BATS_TEST_NUMBER:-0}")" "$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"; }

is() { # is ACTUAL EXPECTED [what]
  if [[ "$1" != "$2" ]]; then
    printf '# %s\n#   expected: %q\n#     actual: %q\n' "${3:-value}" "$2" "$1" >&2
    return 1
  fi
}
like() { # like ACTUAL REGEX [what]
  if ! [[ "$1" =~ $2 ]]; then
    printf '# %s\n#   expected to match: %s\n#   actual: %q\n' "${3:-value}" "$2" "$1" >&2
    return 1
  fi
}

# Host state that ducker may touch; compared before/after to find leaks.
host_snapshot() {
  {
    echo "== mounts"; grep -E "$DUCKER_ROOT|ducker" /proc/mounts | awk '{print $2}' | sort
    echo "== links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^(dk|vd|veth|br-|ducker)' | sort
    echo "== netns"; ip netns list 2>/dev/null | awk '{print $1}' | sort
    echo "== iptables"; { iptables-save 2>/dev/null || true; } | grep -i ducker | sed 's/\[[0-9:]*\]//' | sort
    echo "== cgroups"; find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path '*ducker/*' 2>/dev/null | sort
  }
}

# Everything in the data root, ignoring locks.
root_snapshot() { find "$DUCKER_ROOT" -path "$DUCKER_ROOT/locks" -prune -o -print 2>/dev/null | sort; }

# Objects present before the test; teardown removes anything new.
snapshot_objects() {
  BEFORE_CONTAINERS=$(ls "$DUCKER_ROOT/containers" 2>/dev/null | sort)
  BEFORE_IMAGES=$(ls "$DUCKER_ROOT/images" 2>/dev/null | sort)
}

cleanup_new_objects() {
  local id
  for id in $(ls "$DUCKER_ROOT/containers" 2>/dev/null); do
    grep -qx "$id" <<<"$BEFORE_CONTAINERS" && continue
    timeout 30 "$DUCKER" rm -f "$id" >/dev/null 2>&1 || true
  done
  # images the test made, tagged or not (a failed build leaves intermediates);
  # newest first, so children go before the parents they hold on to
  for id in $(ls -t "$DUCKER_ROOT/images" 2>/dev/null); do
    grep -qx "$id" <<<"$BEFORE_IMAGES" && continue
    timeout 30 "$DUCKER" rmi -f "$id" >/dev/null 2>&1 || true
  done
}

# The default network persists once made (like docker0): make it before the
# snapshot, so the first container of a test does not count as a leak.
ensure_default_network() {
  ip link show "${DUCKER_DEFAULT_BRIDGE:-ducker0}" >/dev/null 2>&1 || "$DUCKER" network ls >/dev/null 2>&1 || true
}

# Likewise the built-in alpine, registered on first use (`images` does it).
ensure_builtin_image() {
  [[ -n $(ls "$DUCKER_ROOT/images" 2>/dev/null) ]] || "$DUCKER" images >/dev/null 2>&1 || true
}

common_setup() {
  ensure_default_network
  ensure_builtin_image
  snapshot_objects
  HOST_BEFORE=$(host_snapshot)
}

# Leak check: after cleanup the host looks exactly as before the test.
common_teardown() {
  cleanup_new_objects
  local after
  after=$(host_snapshot)
  if [[ "$after" != "$HOST_BEFORE" ]]; then
    echo "# host state leaked:" >&2
    diff <(echo "$HOST_BEFORE") <(echo "$after") | sed 's/^/#   /' >&2
    return 1
  fi
}

setup() { common_setup; }
teardown() { common_teardown; }

# Wait until a command succeeds (up to N tenths of a second).
wait_for() { local n=$1; shift; while ! "$@" >/dev/null 2>&1; do ((n-- > 0)) || return 1; sleep 0.1; done; }

# A test host standing in for "the outside": a network namespace behind a veth
# pair, host side HOST_IP/30, its eth0 PEER_IP/30. Sets OUTSIDE (the netns
# name); remove_outside_host undoes it (call it from teardown).
make_outside_host() {
  local host_ip=$1 peer_ip=$2
  OUTSIDE=dk$(safename | tail -c 9)
  local hv="vo${OUTSIDE#dk}"
  ip netns add "$OUTSIDE"
  ip link add "$hv" type veth peer name eth0 netns "$OUTSIDE"
  ip addr add "$host_ip/30" dev "$hv"; ip link set "$hv" up
  ip -n "$OUTSIDE" addr add "$peer_ip/30" dev eth0
  ip -n "$OUTSIDE" link set eth0 up; ip -n "$OUTSIDE" link set lo up
}
remove_outside_host() {
  [[ -n ${OUTSIDE:-} ]] || return 0
  ip netns pids "$OUTSIDE" 2>/dev/null | xargs -r kill 2>/dev/null
  ip link del "vo${OUTSIDE#dk}" 2>/dev/null
  ip netns del "$OUTSIDE" 2>/dev/null
  return 0
}

# Images a test builds or loads: removed in teardown_images.
MADE_IMAGES=()
mkimg() { MADE_IMAGES+=("$1"); }
teardown_images() {
  local i
  for i in "${MADE_IMAGES[@]}"; do timeout 30 "$DUCKER" rmi -f "$i" >/dev/null 2>&1 || true; done
  MADE_IMAGES=()
}
