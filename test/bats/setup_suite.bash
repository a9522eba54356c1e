# Suite-wide: the default bridges and ducker's iptables chains are created on
# first use and persist (like docker0). What the suite created, it removes at
# the end, so the host is left as the suite found it.

our_bridges() { echo "${DUCKER_DEFAULT_BRIDGE:-ducker0} dki0 dkd0"; }

setup_suite() {
  export SUITE_HAD_LINKS SUITE_HAD_CHAINS
  SUITE_HAD_LINKS=" $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | tr '\n' ' ') "
  SUITE_HAD_CHAINS=$({ iptables-save 2>/dev/null || true; } | grep -c '^:DUCKER' || true)
  export SUITE_HAD_CGROUPS
  SUITE_HAD_CGROUPS=$(find /sys/fs/cgroup -maxdepth 2 -type d -name ducker 2>/dev/null | tr '\n' ' ')
}

teardown_suite() {
  local br
  local t rule
  for br in $(our_bridges); do
    [[ $SUITE_HAD_LINKS == *" $br "* ]] && continue
    ip link del "$br" 2>/dev/null || true
    # its NAT/forward rules too (the chains may predate the suite and stay)
    for t in nat filter; do
      iptables-save -t "$t" 2>/dev/null | grep -E -- "-[io] $br( |$)" | sed 's/^-A /-D /' |
        while read -r rule; do eval "iptables -t $t $rule" 2>/dev/null || true; done
    done
  done
  if [[ ${SUITE_HAD_CHAINS:-0} == 0 ]]; then
    iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j DUCKER 2>/dev/null || true
    iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j DUCKER 2>/dev/null || true
    iptables -t nat -D POSTROUTING -j DUCKER-POSTROUTING 2>/dev/null || true
    iptables -t filter -D FORWARD -j DUCKER-FORWARD 2>/dev/null || true
    for c in nat:DUCKER nat:DUCKER-POSTROUTING filter:DUCKER-FORWARD; do
      iptables -t "${c%%:*}" -F "${c#*:}" 2>/dev/null || true
      iptables -t "${c%%:*}" -X "${c#*:}" 2>/dev/null || true
    done
  fi
  # the parent `ducker` groups (one per hierarchy), if the suite made them
  local g
  for g in $(find /sys/fs/cgroup -maxdepth 2 -type d -name ducker 2>/dev/null); do
    [[ " $SUITE_HAD_CGROUPS " == *" $g "* ]] || rmdir "$g" 2>/dev/null || true
  done
  rm -rf /tmp/dk-iso-root /tmp/dk-dry-root
}
