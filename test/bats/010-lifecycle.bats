#!/usr/bin/env bats
# Lifecycle: run -d, ps, start, stop, rm, logs, exec, inspect, name/prefix
# resolution, --rm for detached containers, concurrency, a killed ducker.
load helpers

cid_of() { "$DUCKER" inspect --format '{{.Id}}' "$1"; }

@test "run -d returns at once and prints the full ID; the container keeps running" {
  name=$(safename)
  start=$(date +%s%N)
  d run -d --name $name alpine sleep 30
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  like "$output" '^[0-9a-f]{64}$'
  id=$output
  [[ $elapsed -lt 5000 ]]
  d ps
  like "$output" "${id:0:12} +alpine +\"sleep 30\" .* Up .* $name"
  d ps -q
  like "$output" "${id:0:12}"
  # no node process stays behind for the container
  ! pgrep -f "cli.js.*$id" >/dev/null || false
  d inspect --format '{{.State.Status}} {{.State.Running}}' $name
  is "$output" "running true"
}

@test "ps -a shows exited containers with their code; ps hides them" {
  name=$(safename)
  d run -d --name $name alpine sh -c 'exit 7'
  wait_for 50 sh -c "$DUCKER ps -a | grep $name | grep -q 'Exited (7)'"
  d ps
  [[ "$output" != *"$name"* ]]
  d ps -a
  like "$output" "Exited \\(7\\) .* ago +$name"
  d inspect --format '{{.State.ExitCode}} {{.State.Status}}' $name
  is "$output" "7 exited"
}

@test "a created-only container shows as Created" {
  name=$(safename)
  d --rc=127 run -d --name $name alpine no-such-binary
  d ps -a
  like "$output" "Created +$name"
}

@test "start keeps the filesystem; start of a running container is a no-op" {
  name=$(safename)
  d run -d --name $name alpine sh -c 'echo data > /keep; sleep 30'
  d stop -t 0 $name
  d start $name
  d start $name
  d exec $name cat /keep
  is "$output" "data"
  d stop -t 0 $name
}

@test "start -a attaches and returns the exit code" {
  name=$(safename)
  d --rc=5 run --name $name alpine sh -c 'echo run-$((1+1)); exit 5'
  d --rc=5 start -a $name
  is "$output" "run-2"
}

@test "stop: TERM-aware container stops fast with its code; one ignoring TERM is killed after -t (137)" {
  a=$(safename); b=$(safename)
  d run -d --name $a alpine sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
  d run -d --name $b alpine sh -c 'trap "" TERM; while true; do sleep 0.1; done'
  sleep 0.3
  t0=$(date +%s%N)
  d stop $a
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [[ $ms -lt 3000 ]] || { echo "stop took $ms ms"; false; }
  d inspect --format '{{.State.ExitCode}}' $a
  is "$output" "0"
  t0=$(date +%s%N)
  d stop -t 1 $b
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [[ $ms -ge 900 && $ms -lt 5000 ]] || { echo "stop -t 1 took $ms ms"; false; }
  d inspect --format '{{.State.ExitCode}}' $b
  is "$output" "137"
  d stop $b
}

@test "stop of a default sleep gives 143; several stop concurrently" {
  names=()
  for i in 1 2 3; do n=$(safename); names+=($n); d run -d --name $n alpine sh -c 'trap "" TERM; sleep 30 & wait'; done
  t0=$(date +%s%N)
  d stop -t 1 "${names[@]}"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [[ $ms -lt 2800 ]] || { echo "3 stops with -t 1 took $ms ms: not concurrent"; false; }
  n=$(safename)
  d run -d --name $n alpine sleep 30
  d stop $n
  d inspect --format '{{.State.ExitCode}}' $n
  is "$output" "143"
}

@test "rm refuses a running container; rm -f kills and removes it; several arguments" {
  a=$(safename); b=$(safename)
  d run -d --name $a alpine sleep 30
  id=$(cid_of $a)
  d --rc=1 rm $a
  like "$output" "^ducker: .*running"
  d run --name $b alpine true
  d --rc=1 rm $b no-such-container-xyz
  like "$output" "No such container: no-such-container-xyz"
  d --rc=1 inspect $b
  d rm -f $a
  [[ ! -d $DUCKER_ROOT/containers/$id ]]
  ! grep -q "$id" /proc/mounts || false
}

@test "logs: all, --tail, stderr, follow until exit, 1 MB whole" {
  name=$(safename)
  d run -d --name $name alpine sh -c 'for i in 1 2 3 4 5; do echo line$i; done; echo err >&2'
  wait_for 50 sh -c "$DUCKER ps -a | grep $name | grep -q Exited"
  d logs $name
  is "${#lines[@]}" "6"
  is "${lines[5]}" "err"
  d logs --tail 2 $name
  is "$output" "line5
err"
  d logs --tail 0 $name
  is "$output" ""
  f=$(safename)
  d run -d --name $f alpine sh -c 'echo one; sleep 1; echo two'
  d logs -f $f
  is "$output" "one
two"
  big=$(safename)
  d run --name $big alpine sh -c 'head -c 1048576 /dev/zero | tr "\0" x; echo'
  run sh -c "$DUCKER logs $big | wc -c"
  is "$output" "1048577"
}

@test "exec: env, workdir, exit code, 127, -d, -i, not running" {
  name=$(safename)
  d run -d --name $name -e IMG=1 -w /srv alpine sleep 30
  d exec $name sh -c 'echo $IMG $(pwd) $HOSTNAME'
  like "$output" "^1 /srv [0-9a-f]{12}$"
  d exec -e X=2 -w /tmp $name sh -c 'echo $X $IMG $(pwd)'
  is "$output" "2 1 /tmp"
  d --rc=4 exec $name sh -c 'exit 4'
  d --rc=127 exec $name no-such-cmd
  d exec -d $name sh -c 'sleep 1; touch /from-exec-d'
  wait_for 40 "$DUCKER" exec $name test -f /from-exec-d
  run sh -c "echo piped | $DUCKER exec -i $name cat"
  is "$output" "piped"
  d exec $name sh -c 'ps -o comm | grep -c sleep'
  is "$output" "1" "exec sees the container's processes"
  d stop -t 0 $name
  d --rc=1 exec $name true
  like "$output" "is not running"
}

@test "containers resolve by name, full ID and unique prefix; ambiguous prefix fails" {
  name=$(safename)
  d run -d --name $name alpine sleep 30
  id=$(cid_of $name)
  for ref in $name $id ${id:0:12} ${id:0:5}; do
    d inspect --format '{{.Name}}' $ref
    is "$output" "/$name"
  done
  # an ambiguous prefix: among 17 IDs two share their first hex digit, so
  # make containers until some first digit is shared, and use it
  dup() { ls "$DUCKER_ROOT/containers" | cut -c1 | sort | uniq -d | head -1; }
  for ((i=0; i<17 && $(dup | wc -l) == 0; i++)); do d run --network none alpine true; done
  common=$(dup)
  [[ -n $common ]]
  d --rc=1 inspect $common
  like "$output" "ambiguous|multiple"
  d stop -t 0 $name
}

@test "inspect: Docker-like keys and --format" {
  name=$(safename)
  d run -d --name $name -e A=b alpine sleep 30
  d inspect $name
  like "$output" '"Id": "[0-9a-f]{64}"'
  like "$output" '"OOMKilled": false'
  like "$output" '"Env": \['
  like "$output" '"HostConfig"'
  like "$output" '"NetworkSettings"'
  d inspect --format '{{.Config.Image}} {{.State.Pid}}' $name
  like "$output" '^alpine [0-9]+$'
  d inspect --format '{{json .Config.Cmd}}' $name
  is "$output" '["sleep","30"]'
  d inspect alpine
  like "$output" '"RepoTags"'
  d stop -t 0 $name
}

@test "run -d --rm removes the container after it exits on its own" {
  name=$(safename)
  d run -d --rm --name $name alpine sh -c 'sleep 0.5'
  id=$output
  [[ -d $DUCKER_ROOT/containers/$id ]]
  wait_for 100 test ! -d $DUCKER_ROOT/containers/$id
  ! grep -q "$id" /proc/mounts || false
}

@test "20 concurrent run -d with distinct names all succeed; 5 with the same name give one" {
  p=$(safename)
  for i in $(seq 1 20); do "$DUCKER" run -d --name ${p}_$i alpine sleep 30 >/dev/null 2>&1 & done
  wait
  d ps
  is "$(grep -c " ${p}_" <<<"$output")" "20"
  q=$(safename)
  # (bats runs tests with errexit: keep the failure's code instead of exiting the subshell)
  for i in 1 2 3 4 5; do ( rc=0; "$DUCKER" run -d --name $q alpine sleep 30 >/dev/null 2>&1 || rc=$?; echo $rc >> $BATS_TEST_TMPDIR/rc ) & done
  wait
  is "$(grep -c '^0$' $BATS_TEST_TMPDIR/rc)" "1"
  is "$(grep -c '^125$' $BATS_TEST_TMPDIR/rc)" "4"
}

@test "a ducker killed with SIGKILL mid-run leaves a container that rm -f removes completely" {
  name=$(safename)
  "$DUCKER" run --name $name alpine sleep 30 &
  pid=$!
  wait_for 50 sh -c "$DUCKER ps | grep -q $name"
  kill -9 $pid
  wait $pid || true
  d ps -a
  like "$output" "$name"
  id=$(cid_of $name)
  d rm -f $name
  [[ ! -d $DUCKER_ROOT/containers/$id ]]
  ! grep -q "$id" /proc/mounts || false
  ! pgrep -f "$id" >/dev/null || false
}
