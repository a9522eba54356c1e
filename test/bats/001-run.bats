#!/usr/bin/env bats
# Foundation: ducker run in the foreground, namespaces, rootfs, exit codes,
# --explain and --dry-run.
load helpers

@test "run prints output and passes the exit code through" {
  d run --rm alpine echo hello
  is "$output" "hello"
  d --rc=3 run --rm alpine sh -c 'exit 3'
  d --rc=0 run --rm alpine true
}

@test "missing command gives 127, non-executable 126" {
  d --rc=127 run --rm alpine no-such-cmd
  like "$output" "no-such-cmd" "error names the command"
  d --rc=126 run --rm alpine /etc/passwd
}

@test "the image is the built-in alpine" {
  d run --rm alpine cat /etc/os-release
  if [[ $ALPINE_OFFICIAL == 1 ]]; then like "$output" 'ID=alpine'; like "$output" '3\.20\.3'; else like "$output" 'BusyBox stand-in'; fi
  d images
  like "$output" 'alpine +latest'
}

@test "uts, pid, mnt, net and ipc namespaces differ from the host's" {
  for ns in uts pid mnt net ipc; do
    d run --rm alpine readlink /proc/1/ns/$ns
    host=$(readlink /proc/$$/ns/$ns)
    [[ "$output" != "$host" ]] || { echo "namespace $ns is the host's: $output"; return 1; }
  done
}

@test "PID 1 is ducker-init; ps shows only the container's processes" {
  d run --rm alpine cat /proc/1/cmdline
  like "$output" 'ducker-init'
  d run --rm alpine sh -c 'echo $$; ps -o comm > /tmp/ps.txt; tail -n +2 /tmp/ps.txt | sort | tr "\n" " "'
  is "${lines[0]}" "2" "the command is PID 1's child"
  is "${lines[1]}" "ducker-init ps sh " "only the container's processes"
}

@test "host files are not visible and /proc is the container's" {
  marker=/tmp/ducker-host-marker-$$
  touch $marker
  d --rc=1 run --rm alpine ls $marker
  rm -f $marker
  d run --rm alpine sh -c 'ls /proc | grep -c "^[0-9]"'
  [[ $output -le 4 ]]
  d run --rm alpine sh -c 'cat /proc/mounts | grep -c " / overlay"'
  is "$output" "1" "root is the overlay"
}

@test "writes in the container do not touch the image layers" {
  name=$(safename)
  d run --name $name alpine sh -c 'echo changed > /etc/motd; rm /etc/hostname; echo new > /newfile'
  id=$(cat "$DUCKER_ROOT"/containers/*/config.json | grep -l '"name": "'$name'"' "$DUCKER_ROOT"/containers/*/config.json | xargs dirname)
  [[ -f $id/upper/newfile ]]
  [[ -c $id/upper/etc/hostname ]]  # an overlay whiteout
  ! grep -rqs changed "$DUCKER_ROOT"/layers/*/diff/etc/motd || false
  d run --rm alpine cat /etc/motd
  [[ "$output" != changed ]]
  d rm $name
}

@test "-e, -w, --name and the hostname" {
  name=$(safename)
  d run --rm -e FOO=bar -e 'SPACED=a b' -w /tmp/work alpine sh -c 'echo "$FOO|$SPACED|$(pwd)|$PATH"'
  is "$output" "bar|a b|/tmp/work|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  HOSTVAR=fromhost d run --rm -e HOSTVAR alpine sh -c 'echo $HOSTVAR'
  is "$output" "fromhost"
  d run --name $name alpine hostname
  host=$output
  d inspect --format '{{.Id}} {{.Name}}' $name
  like "$output" "^${host}[0-9a-f]{52} /$name\$" "hostname is the short ID"
  d rm $name
}

@test "-i passes piped stdin" {
  run sh -c "echo 'echo hello' | $DUCKER run -i --rm alpine sh"
  is "$output" "hello"
  run sh -c "echo 'echo hello' | $DUCKER run --rm alpine sh"
  is "$output" "" "without -i, stdin is not attached"
}

@test "bad input: unknown image, bad -e, taken name, bad name, no command" {
  name=$(safename)
  before=$(root_snapshot)
  d --rc=125 run --rm no-such-image true
  like "$output" "^ducker: .*no-such-image"
  d --rc=125 run --rm -e =oops alpine true
  like "$output" "^ducker: invalid environment variable"
  d --rc=125 run --rm --name '-bad' alpine true
  d --rc=125 run --rm --name 'a/b' alpine true
  like "$output" "^ducker: Invalid container name"
  d --rc=125 run --rm -w relative alpine true
  d --rc=125 run --rm --bogus-flag alpine true
  is "$(root_snapshot)" "$before" "nothing left in the data root"
  d run -d --name $name alpine sleep 30
  d --rc=125 run --rm --name $name alpine true
  like "$output" "already in use"
  d rm -f $name
}

@test "--rm leaves no directory, mount or cgroup" {
  before=$(ls "$DUCKER_ROOT/containers")
  d run --rm alpine true
  is "$(ls "$DUCKER_ROOT/containers")" "$before"
}

@test "--explain prints the steps to stderr, output stays clean" {
  ds --explain run --rm alpine echo hi
  is "$output" "hi"
  like "$stderr" "mount -t overlay overlay -o \"?lowerdir="
  like "$stderr" "\\+ unshare --uts --ipc --pid"
  like "$stderr" "\\+ pivot_root"
  like "$stderr" "# .*steps"
  ds run --rm alpine echo hi --explain
  is "$output" "hi --explain" "flags after the image belong to the command"
  ds run --rm --explain alpine echo hi
  like "$stderr" "pivot_root" "--explain after the verb"
}

@test "--dry-run prints a script that works and changes nothing" {
  before=$(root_snapshot)
  ds --dry-run run --rm alpine echo hi
  script=$output
  is "$(root_snapshot)" "$before" "dry-run wrote nothing"
  [[ -z $(grep "$DUCKER_ROOT" /proc/mounts) ]]
  like "$script" "^#!/bin/sh"
  run sh -c "$script"
  is "$status" 0
  is "$output" "hi"
  is "$(root_snapshot)" "$before" "the script cleaned up after itself"
}

@test "dry-run script keeps the exit code and odd arguments" {
  ds --dry-run run --rm alpine sh -c 'echo "a  b" '\''q'\'' "$HOME" \$x; exit 4'
  run sh -c "$output"
  is "$status" 4
  is "$output" "a  b q /root \$x"
}
