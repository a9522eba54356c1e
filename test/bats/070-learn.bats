#!/usr/bin/env bats
# Walkthroughs (ducker learn): each runs straight through with --yes and
# leaves nothing behind, on the host (leak check) or in the data root.

load helpers

# What a walkthrough could leave in the data root.
root_objects() {
  local d
  for d in containers images nets volumes layers; do echo "== $d"; ls "$DUCKER_ROOT/$d" 2>/dev/null; done
}

setup() {
  common_setup
  ROOT_BEFORE=$(root_objects)
}

# run_lesson NAME: run it with --yes, check it finished and cleaned up.
run_lesson() {
  d learn "$1" --yes
  like "$output" "== done: $1" "lesson $1 finished"
  is "$(root_objects)" "$ROOT_BEFORE" "data root after lesson $1"
  # Nothing with the lesson's suffix survives anywhere ducker keeps state.
  local x; x=$(grep -o -m1 -E -- '-[0-9a-f]{6}\b' <<<"$output" | head -n1)
  [[ -z $x ]] || ! grep -rqs -- "$x" "$DUCKER_ROOT/containers" "$DUCKER_ROOT/nets" "$DUCKER_ROOT/images"
}

@test "learn lists every walkthrough" {
  d learn
  for n in namespaces rootfs cgroups networking images; do grep -q "^$n " <<<"$output"; done
}

@test "learn namespaces --yes succeeds and leaves nothing behind" { run_lesson namespaces; }
@test "learn rootfs --yes succeeds and leaves nothing behind" { run_lesson rootfs; }
@test "learn cgroups --yes succeeds and leaves nothing behind" { run_lesson cgroups; }
@test "learn networking --yes succeeds and leaves nothing behind" { run_lesson networking; }
@test "learn images --yes succeeds and leaves nothing behind" { run_lesson images; }

@test "learn: unknown walkthrough and malformed lessons are named" {
  d --rc=1 learn no-such-lesson
  like "$output" 'no walkthrough named "no-such-lesson"'
  local dir; dir=$(mktemp -d)
  printf 'name: bad\ntitle: t\nsummary: s\nsteps:\n  - title: x\n    explain: y\n    ducker: 3\n' > "$dir/bad.yaml"
  DUCKER_LESSONS=$dir d --rc=125 learn bad --yes
  like "$output" "$dir/bad.yaml: steps\[0\]\.ducker: expected a ducker command line"
  printf 'name: bad\nsteps: [\n' > "$dir/bad.yaml"
  DUCKER_LESSONS=$dir d --rc=125 learn
  like "$output" "$dir/bad.yaml: not valid YAML"
  rm -rf "$dir"
}

@test "learn: a failing step stops the walkthrough and still cleans up" {
  local dir n; dir=$(mktemp -d); n=$(safename)
  cat > "$dir/fails.yaml" <<EOF
name: fails
title: a lesson that fails at step 2
summary: s
steps:
  - title: start
    explain: e
    ducker: run -d --name $n-\$X alpine sleep 300
    cleanup: ducker rm -f $n-\$X
  - title: fail
    explain: e
    ducker: exec $n-\$X false
EOF
  DUCKER_LESSONS=$dir d --rc=1 learn fails --yes
  like "$output" "failed at step 2"
  like "$output" "ducker rm -f $n-"
  is "$(ls "$DUCKER_ROOT/containers" | sort)" "$BEFORE_CONTAINERS" "containers after a failed lesson"
  rm -rf "$dir"
}

@test "learn: Ctrl-C between steps runs the cleanup" {
  local out=$BATS_TEST_TMPDIR/out fifo=$BATS_TEST_TMPDIR/in
  mkfifo "$fifo"
  # Hold the fifo open (no Enter is ever typed) so the lesson waits after step 1.
  sleep 60 > "$fifo" &
  local holder=$!
  "$DUCKER" learn namespaces < "$fifo" > "$out" 2>&1 &
  local pid=$!
  wait_for 300 grep -q 'Enter: next step' "$out" || { kill "$pid" "$holder"; cat "$out" >&2; false; }
  kill -INT "$pid"
  local rc=0; wait "$pid" || rc=$?
  kill "$holder" 2>/dev/null || true
  is "$rc" 130 "exit code after Ctrl-C"
  grep -q 'interrupted: cleaned up' "$out"
  grep -q '^\$ ducker rm -f ns-' "$out"
  is "$(ls "$DUCKER_ROOT/containers" | sort)" "$BEFORE_CONTAINERS" "containers after Ctrl-C"
}
