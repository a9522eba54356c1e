#!/usr/bin/env bats
# --dry-run prints a POSIX sh script and changes nothing; run with sh, the
# script does what the command does. Each test: dry-run, check nothing
# changed, run the script, compare with the real command.

load helpers

# The data root and its mounts (other host state is covered by the leak check
# in teardown; concurrent suites on this machine make a finer check noisy).
state() { root_snapshot; grep -F "$DUCKER_ROOT/" /proc/mounts | awk '{print $2}' | sort; }

# dry ARGS...: ducker --dry-run ARGS must change nothing; $script holds it.
dry() {
  local before; before=$(state)
  ds --dry-run "$@"
  script=$output
  local after; after=$(state)
  [[ $after == "$before" ]] || { echo "# --dry-run $* changed:"; diff <(echo "$before") <(echo "$after") | head -20; false; } >&2
  like "$script" '^#!/bin/sh' "script header"
}

# play: run $script with sh (set -e is in it).
play() {
  run sh -c "$script"
  if [[ $status -ne 0 ]]; then echo "# script failed ($status): $output" >&2; printf '%s\n' "$script" | sed 's/^/#   /' >&2; return 1; fi
}

cid() { "$DUCKER" inspect -f '{{.Id}}' "$1"; }
# A container's files, relative, without IDs (ignore contents and times).
files() { (cd "$DUCKER_ROOT/containers/$(cid "$1")" && find . -path ./merged -prune -o -print | sort); }
# What the host has for a container: mounts, netns, cgroups (ID-free).
traces() {
  local id; id=$(cid "$1")
  echo "mounts $(grep -c "$id" /proc/mounts)"
  echo "netns $(ip netns list | grep -c "dk-${id:0:12}")"
  echo "cgroups $(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null | wc -l)"
  echo "dnat $(iptables -t nat -S DUCKER 2>/dev/null | grep -c "dk-${id:0:12}")"
}
status_of() { "$DUCKER" inspect -f '{{.State.Status}}' "$1"; }

@test "dry-run: run -d, as a script, makes the same container as run -d" {
  local a b; a=$(safename); b=$(safename)
  dry run -d --name "$a" -p 20931:80 alpine sleep 300
  play
  d run -d --name "$b" -p 20932:80 alpine sleep 300
  is "$(status_of "$a")" running "status from the script"
  is "$(files "$a")" "$(files "$b")" "container files: script vs real"
  is "$(traces "$a")" "$(traces "$b")" "mounts, netns, cgroups, DNAT: script vs real"
  d exec "$a" hostname
  is "$output" "$(cid "$a" | cut -c1-12)"
}

@test "dry-run: foreground run, as a script, exits with the container's code" {
  local a b; a=$(safename); b=$(safename)
  dry run --name "$a" alpine sh -c 'echo hi > /f; exit 3'
  run sh -c "$script"
  is "$status" 3 "the script's exit code"
  d --rc=3 run --name "$b" alpine sh -c 'echo hi > /f; exit 3'
  is "$(status_of "$a")" exited
  is "$("$DUCKER" inspect -f '{{.State.ExitCode}}' "$a")" 3
  is "$(files "$a")" "$(files "$b")" "container files: script vs real"
  is "$(traces "$a")" "$(traces "$b")" "nothing mounted after exit"
}

@test "dry-run: stop, start and rm -f, as scripts, do what the commands do" {
  local a b; a=$(safename); b=$(safename)
  d run -d --name "$a" alpine sleep 300
  d run -d --name "$b" alpine sleep 300
  dry stop -t 1 "$a"; play
  d stop -t 1 "$b"
  is "$(status_of "$a")" exited; is "$(traces "$a")" "$(traces "$b")" "after stop"
  dry start "$a"; play
  d start "$b"
  is "$(status_of "$a")" running; is "$(traces "$a")" "$(traces "$b")" "after start"
  local ida; ida=$(cid "$a")
  dry rm -f "$a"; play
  d rm -f "$b"
  [[ ! -e $DUCKER_ROOT/containers/$ida ]]
  ! grep -q "$ida" /proc/mounts
}

@test "dry-run: exec, as a script, runs the command in the container" {
  local a; a=$(safename)
  d run -d --name "$a" alpine sleep 300
  dry exec "$a" sh -c 'echo from-script > /marker'
  play
  d exec "$a" cat /marker
  is "$output" from-script
}

@test "dry-run: network create/rm and volume create/rm, as scripts" {
  local n v; n=$(safename); v=$(safename)
  dry network create "$n"; play
  d network inspect "$n"
  local br; br=$(sed -n 's/.*bridge.name": "\(.*\)".*/\1/p' <<<"$output")
  ip link show "$br" >/dev/null
  iptables -t nat -S | grep -q -- "$br"
  dry network rm "$n"; play
  ! ip link show "$br" 2>/dev/null
  ! iptables-save | grep -q -- "$br"
  [[ ! -e $DUCKER_ROOT/nets/$n ]]
  dry volume create "$v"; play
  [[ -d $DUCKER_ROOT/volumes/$v/data ]]
  dry volume rm "$v"; play
  [[ ! -e $DUCKER_ROOT/volumes/$v ]]
}

@test "dry-run: read-only commands say there is nothing to show" {
  for c in ps images "logs x" "inspect x" "network ls" "volume ls"; do
    # shellcheck disable=SC2086
    ds --dry-run $c
    like "$stderr" 'only reads state; --dry-run has nothing to show' "$c"
  done
}
