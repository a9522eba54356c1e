#!/usr/bin/env bats
# Isolation, checked from inside real containers against Docker's defaults:
# capabilities, no_new_privs, masked and read-only paths, no host processes,
# mounts or fds, and a ducker-init that no container can overwrite.
load own-root

DEFAULT_CAPS=00000000a80425fb   # Docker's default set

# caps FIELD...: the /proc/self/status lines, as "Name value" pairs
CAPS_SH='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status | tr -s "\t " " "'

default_status() {
  printf '%s\n' "CapInh: $DEFAULT_CAPS" "CapPrm: $DEFAULT_CAPS" "CapEff: $DEFAULT_CAPS" \
    "CapBnd: $DEFAULT_CAPS" "CapAmb: 0000000000000000" "NoNewPrivs: 1"
}

@test "isolation: capability sets are Docker's default, ambient empty, NoNewPrivs 1 (PID 1 too)" {
  d run --rm alpine sh -c "$CAPS_SH"
  is "$output" "$(default_status)" "the command's capabilities"
  d run --rm alpine sh -c 'grep -E "^(CapBnd|CapEff|NoNewPrivs):" /proc/1/status | tr -s "\t " " "'
  is "$output" "CapEff: $DEFAULT_CAPS
CapBnd: $DEFAULT_CAPS
NoNewPrivs: 1" "PID 1 (ducker-init) keeps no more than the command"
}

@test "isolation: --cap-add NET_ADMIN allows ip link add; the default refuses it" {
  # the dummy driver may be missing from the kernel; a bridge needs the same capability
  local add='ip link add dk0 type dummy 2>/dev/null || ip link add dk0 type bridge'
  d --rc=any run --rm alpine sh -c "$add"
  [[ $status -ne 0 ]]
  like "$output" "[Pp]ermission denied|not permitted"
  d run --rm --cap-add NET_ADMIN alpine sh -c "$add && ip -o link show dk0 >/dev/null && echo made"
  like "$output" "made"
  d run --rm --cap-add cap_net_admin alpine sh -c "$CAPS_SH | grep CapEff"
  is "$output" "CapEff: 00000000a80435fb" "cap_net_admin (bit 12) on top of the default"
}

@test "isolation: --cap-drop CHOWN makes chown fail; ALL and mixed forms follow Docker" {
  d run --rm alpine chown 1:1 /tmp
  d --rc=1 run --rm --cap-drop CHOWN alpine chown 1:1 /tmp
  like "$output" "Operation not permitted"
  d run --rm --cap-drop ALL --cap-add chown alpine sh -c "$CAPS_SH | grep CapBnd"
  is "$output" "CapBnd: 0000000000000001" "--cap-drop ALL keeps only --cap-add"
  d run --rm --cap-drop all alpine sh -c "$CAPS_SH | grep CapEff"
  is "$output" "CapEff: 0000000000000000"
}

@test "isolation: --privileged keeps every host capability, no masks, NoNewPrivs 0" {
  local host_bnd
  host_bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  d run --rm --privileged alpine sh -c "$CAPS_SH"
  like "$output" "CapBnd: $host_bnd"
  like "$output" "CapEff: $host_bnd"
  like "$output" "NoNewPrivs: 0"
  d run --rm --privileged alpine sh -c 'grep -c " /sys/firmware " /proc/mounts || true'
  is "$output" "0" "no tmpfs over /sys/firmware"
}

@test "isolation: an unknown capability is refused before anything is created" {
  local before after
  before=$(root_snapshot)
  ds --rc=125 run --rm --cap-add NET_FLY alpine true
  is "$stderr" "ducker: invalid capability: NET_FLY"
  ds --rc=125 run --rm --cap-drop ../x alpine true
  is "$stderr" "ducker: invalid capability: ../x"
  after=$(root_snapshot)
  is "$after" "$before" "data root unchanged"
}

@test "isolation: every masked path is masked (files: /dev/null, dirs: empty read-only)" {
  local p script=''
  for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats; do
    [[ -e $p ]] || continue
    # empty to read, and a character device (our /dev/null) rather than the proc file
    script+="[ -c $p ] && [ -z \"\$(head -c1 $p)\" ] && echo masked $p; "
  done
  for p in /proc/acpi /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
    [[ -e $p ]] || continue
    script+="[ -z \"\$(ls -A $p)\" ] && ! touch $p/x 2>/dev/null && echo masked $p; "
  done
  [[ -n $script ]] || skip "none of the masked paths exists on this kernel"
  d run --rm alpine sh -c "$script"
  local n
  n=$(grep -o 'echo masked' <<<"$script" | wc -l)
  is "$(grep -c '^masked ' <<<"$output")" "$n" "all $n existing masked paths are masked: $output"
}

@test "isolation: /proc/sys and friends are read-only; mounting proc or sysfs fails" {
  d --rc=any run --rm alpine sh -c 'echo 1 > /proc/sys/kernel/domainname'
  [[ $status -ne 0 ]]
  like "$output" "Read-only file system"
  d --rc=any run --rm alpine sh -c 'echo 0 > /proc/sys/vm/overcommit_memory'
  [[ $status -ne 0 ]]
  d run --rm alpine sh -c 'for p in /proc/bus /proc/fs /proc/irq /proc/sys; do
      [ -e $p ] && awk -v p=$p "\$2 == p {print p, substr(\$4,1,2)}" /proc/mounts; done'
  like "$output" "/proc/sys ro"
  like "$output" "/proc/irq ro"
  if [[ -e /proc/sysrq-trigger ]]; then
    d --rc=any run --rm alpine sh -c 'echo h > /proc/sysrq-trigger'
    [[ $status -ne 0 ]]
  fi
  d --rc=any run --rm alpine sh -c 'mkdir -p /mnt/p && mount -t proc proc /mnt/p'
  [[ $status -ne 0 ]]
  d --rc=any run --rm alpine sh -c 'mkdir -p /mnt/s && mount -t sysfs sysfs /mnt/s'
  [[ $status -ne 0 ]]
  d --rc=any run --rm alpine sh -c 'mount -o remount,rw /proc/sys'
  [[ $status -ne 0 ]]
}

@test "isolation: no host processes visible or signalable" {
  sleep 300 &
  local hostpid=$!
  d run --rm alpine sh -c "ls /proc | grep -E '^[0-9]+\$' | sort -n | tr '\n' ' '; kill -0 $hostpid 2>/dev/null && echo reached || echo unreachable"
  kill "$hostpid"
  like "$output" "^1 [0-9 ]*unreachable$"
  kill -0 1   # the host's init is still fine
  d run --rm alpine ps -o pid,comm
  is "${lines[1]}" "    1 ducker-init" "PID 1 is ours"
  is "${#lines[@]}" 3 "only ducker-init and ps: $output"
}

@test "isolation: no host mounts, no old root, private propagation" {
  d run --rm alpine sh -c 'awk "{print \$2}" /proc/mounts'
  ! grep -qE "^(/work|/var/lib|/tmp/|/old|/host|/run/netns)" <<<"$output" || false
  ! grep -q "$DUCKER_ROOT" <<<"$output" || false
  is "$(head -1 <<<"$output")" "/" "the rootfs is the first mount"
  d run --rm alpine sh -c 'ls /work 2>&1; ls -d /var/lib/ducker 2>&1; true'
  like "$output" "No such file"
  d run --rm alpine sh -c 'grep -c shared: /proc/self/mountinfo || true'
  is "$output" "0" "no mount shares propagation with the host"
}

@test "isolation: only fds 0 1 2 reach the command (3 is ls's own)" {
  d run --rm alpine ls /proc/self/fd
  is "$(echo $output)" "0 1 2 3"
  name=$(safename)
  d run -d --name "$name" alpine sleep 60
  d exec "$name" ls /proc/self/fd
  is "$(echo $output)" "0 1 2 3" "exec too"
  d exec "$name" ls /proc/1/fd
  is "$(echo $output)" "0 1 2" "PID 1 holds nothing of the host"
  d rm -f "$name"
}

@test "isolation: -w /proc/self/fd/N and similar tricks are refused or harmless" {
  local w
  for w in /proc/self/fd/3 /proc/self/cwd /proc/1/root /proc/self/root/.. ; do
    d --rc=any run --rm -w "$w" alpine sh -c 'pwd; ls / | head -3'
    # either refused by ducker, or the command sees only the container's root
    [[ $status -eq 125 ]] || ! grep -qE "work|var/lib/ducker" <<<"$output" || false
  done
  d --rc=125 run --rm -w /proc/self/fd/0 alpine pwd
  name=$(safename)
  d run -d --name "$name" alpine sleep 60
  d --rc=125 exec -w /proc/self/fd/0 "$name" pwd
  d --rc=any exec -w /proc/1/root/.. "$name" ls /
  # refused (its message names the workdir), or it lists the container's root, never the host's /work
  [[ $status -eq 125 ]] || ! grep -q work <<<"$output" || false
  d rm -f "$name"
}

@test "isolation: ducker-init cannot be overwritten from inside (CVE-2019-5736)" {
  local sum
  sum=$(sha256sum "$PROJECT/dist/ducker-init")
  d run --rm alpine sh -c 'readlink /proc/1/exe; echo x >> /proc/1/exe && echo WROTE; echo x > /proc/1/exe && echo WROTE; true'
  like "$output" "memfd:ducker-init" "PID 1 runs from a sealed copy, not the host file"
  ! grep -q WROTE <<<"$output" || false
  # even with every capability (CAP_SYS_PTRACE) the copy is sealed
  d run --rm --privileged alpine sh -c 'echo x >> /proc/1/exe && echo WROTE; true'
  ! grep -q WROTE <<<"$output" || false
  name=$(safename)
  d run -d --name "$name" alpine sleep 60
  # a racing exec: every /proc/*/exe in sight, opened for writing
  d exec -d "$name" sh -c 'for i in $(seq 200); do for e in /proc/[0-9]*/exe; do echo x >> $e 2>/dev/null && echo WROTE $e >> /hits; done; done'
  d exec "$name" true
  d exec "$name" sh -c 'sleep 1; cat /hits 2>/dev/null; true'
  ! grep -q WROTE <<<"$output" || false
  d rm -f "$name"
  is "$(sha256sum "$PROJECT/dist/ducker-init")" "$sum" "the host binary is untouched"
}

@test "isolation: exec gets the same capabilities and NoNewPrivs; --explain shows them" {
  name=$(safename)
  d run -d --name "$name" --cap-add NET_ADMIN --cap-drop CHOWN alpine sleep 60
  d exec "$name" sh -c "$CAPS_SH"
  like "$output" "CapEff: 00000000a80435fa"
  like "$output" "CapBnd: 00000000a80435fa"
  like "$output" "CapAmb: 0000000000000000"
  like "$output" "NoNewPrivs: 1"
  ds --explain exec "$name" true
  like "$stderr" "capsh --drop=cap_chown,"
  like "$stderr" "setpriv --no-new-privs"
  d rm -f "$name"
  ds --explain run --rm alpine true
  like "$stderr" "capsh --drop=.* --caps=cap_chown,.*\\+eip"
  like "$stderr" "mount --bind /dev/null .*/proc/keys"
}
