#!/usr/bin/env bats
# Resource limits: every container gets ducker/<id> cgroups; --cpus, -m and
# --pids-limit land in the controller files; the OOM killer is reported;
# the CPU limit is real; stats reads the same files.
load helpers

CG=/sys/fs/cgroup
cid_of() { "$DUCKER" inspect --format '{{.Id}}' "$1"; }

@test "cgroup files hold --cpus 0.5 / 1.5, -m 64m / 1g, --pids-limit" {
  ncpu=$(nproc)
  for spec in "0.5 50000 64m 67108864" "1.5 150000 1g 1073741824"; do
    set -- $spec
    awk -v a=$1 -v n=$ncpu 'BEGIN { exit !(a <= n) }' || continue
    n=$(safename)
    d run -d --name $n --cpus $1 -m $3 --pids-limit 42 alpine sleep 30
    id=$output
    is "$(cat $CG/cpu/ducker/$id/cpu.cfs_period_us)" "100000" "period"
    is "$(cat $CG/cpu/ducker/$id/cpu.cfs_quota_us)" "$2" "quota for --cpus $1"
    is "$(cat $CG/memory/ducker/$id/memory.limit_in_bytes)" "$4" "limit for -m $3"
    is "$(cat $CG/pids/ducker/$id/pids.max)" "42"
    d inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' $n
    is "$output" "$4 42"
    # the init and the command are in the groups; exec joins them too
    grep -qx "$(cat $DUCKER_ROOT/containers/$id/init.pid)" $CG/memory/ducker/$id/cgroup.procs
    d exec $n cat /proc/self/cgroup
    like "$output" "memory:/ducker/$id"
    like "$output" "cpu:/ducker/$id"
    d rm -f $n
    for c in cpu cpuacct memory pids; do [[ ! -e $CG/$c/ducker/$id ]]; done
  done
}

@test "a container without limits still gets its cgroups, removed on rm" {
  n=$(safename)
  d run -d --name $n alpine sleep 30
  id=$output
  for c in cpu cpuacct memory pids; do [[ -d $CG/$c/ducker/$id ]]; done
  is "$(cat $CG/cpu/ducker/$id/cpu.cfs_quota_us)" "-1"
  d --explain rm -f $n
  like "$output" "rmdir $CG/memory/ducker/$id"
  for c in cpu cpuacct memory pids; do [[ ! -e $CG/$c/ducker/$id ]]; done
}

@test "past -m 32m the OOM killer ends it: exit 137, OOMKilled true" {
  n=$(safename)
  d --rc=137 run --name $n -m 32m alpine sh -c 'x=a; while true; do x=$x$x; done'
  d inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' $n
  is "$output" "true 137"
  id=$(cid_of $n)
  [[ ! -e $CG/memory/ducker/$id ]]
  d rm $n
  # detached, the monitor's _exited hook records it
  d run -d --name $n -m 32m alpine sh -c 'x=a; while true; do x=$x$x; done'
  wait_for 100 sh -c "$DUCKER inspect --format '{{.State.OOMKilled}}' $n | grep -qx true"
  d inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' $n
  is "$output" "true 137"
  # and a container that stays under its limit is not reported
  d run --name ${n}b -m 32m alpine true
  d inspect --format '{{.State.OOMKilled}}' ${n}b
  is "$output" "false"
}

@test "bad limit values are rejected with 125 before anything is created" {
  n=$(safename)
  for args in "--cpus 0" "--cpus -1" "--cpus 9999" "--cpus abc" "-m abc" "-m 12x" "-m 5m" "-m -5m" "--pids-limit x"; do
    d --rc=125 run --name $n $args alpine true
  done
  d --rc=125 run --rm --cpus 9999 alpine true
  like "$output" "range of CPUs is from 0.01 to"
  d --rc=125 run --rm -m 5m alpine true
  like "$output" "Minimum memory limit allowed is 6MB"
  d --rc=125 run --rm -m abc alpine true
  like "$output" "invalid size"
  ! grep -qs "\"name\": \"$n\"" $DUCKER_ROOT/containers/*/config.json || false
}

@test "the CPU limit is real: a busy loop under --cpus 0.5 uses about half a CPU" {
  n=$(safename)
  d run -d --name $n --cpus 0.5 alpine sh -c 'while :; do :; done'
  id=$output
  sleep 0.5
  u0=$(cat $CG/cpuacct/ducker/$id/cpuacct.usage); t0=$(date +%s%N)
  sleep 3
  u1=$(cat $CG/cpuacct/ducker/$id/cpuacct.usage); t1=$(date +%s%N)
  share=$(( (u1 - u0) * 1000 / (t1 - t0) ))   # thousandths of one CPU
  echo "# busy loop under --cpus 0.5: $share/1000 of a CPU" >&3
  (( share >= 350 && share <= 650 ))
  d rm -f $n
}

@test "stats --no-stream reads the cgroups: CPU %, memory usage / limit, PIDs" {
  n=$(safename)
  d run -d --name $n -m 64m alpine sh -c 'sleep 60 & sleep 60 & wait'
  id=$output
  ds stats --no-stream $n
  like "${lines[0]}" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
  like "${lines[1]}" "^${id:0:12} +$n +[0-9.]+% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% .* 4$"
  ds stats --no-stream
  like "$output" "${id:0:12} +$n"
  d rm -f $n
}
