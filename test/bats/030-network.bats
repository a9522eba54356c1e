#!/usr/bin/env bats
# Networking: the default network, user networks (create/ls/rm/inspect/
# connect/disconnect), IPAM, /etc/hosts, none/host modes, outbound NAT.
# Traffic goes only to containers and to a netns this file creates.
load helpers

# The default network (a private data root may have its own, see DESIGN.md).
DEF_BR=${DUCKER_DEFAULT_BRIDGE:-ducker0}
DEF_SUBNET=${DUCKER_DEFAULT_SUBNET:-172.18.0.0/16}
DEF_PFX=${DEF_SUBNET%.*.*}           # 172.18
DEF_RE=${DEF_PFX//./\\.}            # 172\.18

teardown() {
  remove_outside_host
  cleanup_new_objects
  for n in ${NETS:-}; do "$DUCKER" network rm "$n" >/dev/null 2>&1 || true; done
  common_teardown
}

ip_of() { "$DUCKER" inspect -f "{{.NetworkSettings.Networks.$2.IPAddress}}" "$1"; }

@test "a container gets eth0 on 172.18.0.0/16 and pings the gateway" {
  d run --rm alpine sh -c "ip -4 -o addr show eth0; ip route; ping -c1 -W2 $DEF_PFX.0.1 >/dev/null && echo pong"
  like "$output" "eth0 +inet $DEF_RE\\.[0-9]+\\.[0-9]+/16"
  like "$output" "default via $DEF_RE\\.0\\.1 dev eth0"
  like "$output" 'pong'
  d network ls
  like "$output" 'NETWORK ID +NAME +DRIVER +SUBNET +GATEWAY'
  like "$output" "[0-9a-f]{12} +ducker +bridge +$DEF_RE\\.0\\.0/16 +$DEF_RE\\.0\\.1"
}

@test "two containers on the default network reach each other by IP; /etc/hosts and resolv.conf" {
  local a=$(safename)
  d run -d --name "$a" alpine sleep 60
  local ip; ip=$(ip_of "$a" ducker)
  like "$ip" "^$DEF_RE\\."
  d run --rm alpine ping -c1 -W2 "$ip"
  d exec "$a" cat /etc/hosts
  like "$output" "$ip"$'\t'"[0-9a-f]{12} $a"
  like "$output" '127\.0\.0\.1'$'\t''localhost'
  d exec "$a" cat /etc/resolv.conf
  is "$output" "$(cat /etc/resolv.conf)" "resolv.conf is the host's"
}

@test "user network: containers reach each other by name; hosts kept current" {
  local n=$(safename) a=$(safename)a b=$(safename)b
  NETS=$n
  d network create "$n"
  d run -d --name "$a" --network "$n" alpine sleep 60
  d run -d --name "$b" --network "$n" alpine sleep 60
  d exec "$a" ping -c1 -W2 "$b"
  like "$output" '1 packets received'
  d exec "$b" ping -c1 -W2 "$a"
  d exec "$a" cat /etc/hosts
  like "$output" "$b"
  d rm -f "$b"
  d exec "$a" cat /etc/hosts
  [[ "$output" != *"$b"* ]] || { echo "$b still in $a's /etc/hosts"; return 1; }
  d network inspect "$n"
  like "$output" "\"Name\": \"$a\""
}

@test "--network none has only lo; --network host shares the host's links" {
  d run --rm --network none alpine ip -o link
  is "${#lines[@]}" 1 "one link"
  like "$output" '^1: lo:'
  d run --rm --network host alpine ip -o link
  like "$output" "$DEF_BR"
  d --rc=125 run --rm --network no-such-net alpine true
  like "$output" 'network no-such-net not found'
}

@test "network create variants, ls -q, inspect, rm" {
  local n1=$(safename)1 n2=$(safename)2 n3=$(safename)3
  NETS="$n1 $n2 $n3"
  d network create --subnet 10.241.0.0/16 --gateway 10.241.0.254 --ip-range 10.241.7.0/24 "$n1"
  local id=$output
  like "$id" '^[0-9a-f]{64}$'
  d network inspect "$n1"
  like "$output" '"Subnet": "10\.241\.0\.0/16"'
  like "$output" '"Gateway": "10\.241\.0\.254"'
  like "$output" '"IPRange": "10\.241\.7\.0/24"'
  d network create --subnet 10.242.0.0/24 --gateway 10.242.0.1/24 "$n2"
  d network create "$n3"
  d network inspect "$n3"
  like "$output" '"Subnet": "172\.[0-9]+\.0\.0/16"'
  d network ls -q
  like "$output" "${id:0:12}"
  d network ls
  like "$output" "$n1 +bridge +10\.241\.0\.0/16 +10\.241\.0\.254"
  d run --rm --network "$n1" alpine ip -4 -o addr show eth0
  like "$output" 'inet 10\.241\.7\.0/16' "first address of the ip-range"
  d run --rm --network "$n1" alpine ip route
  like "$output" 'default via 10\.241\.0\.254'
  d network rm "$n1" "$n2" "$n3"
  NETS=
  d network ls
  [[ "$output" != *"$n1"* ]]
}

@test "network create errors" {
  local n=$(safename)
  NETS=$n
  d --rc=1 network create --subnet 10.243.0.0 "$n"
  like "$output" 'invalid subnet'
  d --rc=1 network create --subnet 10.243.0.1/16 "$n"
  like "$output" 'host bits'
  d --rc=1 network create --subnet 10.243.0.0/16 --gateway 10.244.0.1 "$n"
  like "$output" 'gateway 10\.244\.0\.1 is not in the subnet'
  d --rc=1 network create --subnet 10.243.0.0/16 --ip-range 10.244.0.0/24 "$n"
  like "$output" 'ip-range 10\.244\.0\.0/24 is not within the subnet'
  d --rc=1 network create --subnet "$DEF_PFX.5.0/24" "$n"
  like "$output" 'overlaps'
  d --rc=1 network create -d macvlan "$n"
  like "$output" 'only bridge'
  d network create --subnet 10.243.0.0/16 "$n"
  d --rc=1 network create "$n"
  like "$output" "network with name $n already exists"
  d --rc=1 network create --subnet 10.243.128.0/17 "$(safename)"
  like "$output" "overlaps with network $n"
  d --rc=1 network rm ducker
  like "$output" 'default network and cannot be removed'
}

@test "network rm is refused while a container is attached, running or stopped" {
  local n=$(safename) a=$(safename)
  NETS=$n
  d network create "$n"
  d run -d --name "$a" --network "$n" alpine sleep 60
  d --rc=1 network rm "$n"
  like "$output" 'active endpoints'
  d stop -t 0 "$a"
  d --rc=1 network rm "$n"
  d rm "$a"
  d network rm "$n"
  NETS=
}

@test "connect gives eth1 and reachability; disconnect removes it; stopped containers too" {
  local n=$(safename) a=$(safename)a b=$(safename)b
  NETS=$n
  d network create "$n"
  d run -d --name "$a" alpine sleep 60
  d run -d --name "$b" --network "$n" alpine sleep 60
  d --rc=1 exec "$a" ping -c1 -W1 "$b"
  d network connect "$n" "$a"
  d exec "$a" ip -4 -o addr show eth1
  like "$output" 'eth1 +inet 172\.'
  d exec "$a" ping -c1 -W2 "$b"
  d exec "$b" ping -c1 -W2 "$a"
  d --rc=1 network connect "$n" "$a"
  like "$output" 'already exists'
  d network disconnect "$n" "$a"
  d exec "$a" ip -o link
  [[ "$output" != *eth1* ]] || { echo "eth1 still there"; return 1; }
  d exec "$a" ping -c1 -W2 "$DEF_PFX.0.1"
  d exec "$b" cat /etc/hosts
  [[ "$output" != *"$a"* ]]
  d --rc=1 network disconnect "$n" "$a"
  like "$output" 'is not connected'
  # stopped: the change applies at the next start
  d stop -t 0 "$a"
  d network connect "$n" "$a"
  d start "$a"
  d exec "$a" ip -4 -o addr show eth1
  like "$output" 'eth1 +inet'
  d exec "$a" ping -c1 -W2 "$b"
}

@test "addresses are released on stop and rm, reallocated on start" {
  local n=$(safename) a=$(safename)
  NETS=$n
  d network create --subnet 10.245.0.0/29 "$n"
  d run -d --name "$a" --network "$n" alpine sleep 60
  is "$(ip_of "$a" "$n")" 10.245.0.2
  d stop -t 0 "$a"
  is "$(ip_of "$a" "$n")" ""
  d network inspect "$n"
  like "$output" '"Containers": \{\}'
  d start "$a"
  is "$(ip_of "$a" "$n")" 10.245.0.2
  d exec "$a" ping -c1 -W2 10.245.0.1
}

@test "30 concurrent run -d on one network get 30 distinct addresses" {
  local n=$(safename) i
  NETS=$n
  d network create "$n"
  for i in $(seq 30); do timeout 60 "$DUCKER" run -d --network "$n" alpine sleep 60 >"$BATS_TEST_TMPDIR/id$i" 2>&1 & done
  wait
  local ips=()
  for i in $(seq 30); do
    ips+=("$("$DUCKER" inspect -f "{{.NetworkSettings.IPAddress}}" "$(cat "$BATS_TEST_TMPDIR/id$i")")")
  done
  is "$(printf '%s\n' "${ips[@]}" | grep -c .)" 30 "30 addresses"
  is "$(printf '%s\n' "${ips[@]}" | sort -u | grep -c .)" 30 "all distinct"
}

@test "outbound NAT: the outside sees the host's address on that link" {
  # a stand-in for "the outside": a netns behind a veth with 198.51.100.0/30
  make_outside_host 198.51.100.1 198.51.100.2
  # the listener replies with the peer address it sees
  ip netns exec "$OUTSIDE" busybox nc -l -p 20999 -e sh -c 'ss -Htn state established' &
  wait_for 30 sh -c "ip netns exec $OUTSIDE ss -Hltn | grep -q 20999"
  d run --rm alpine sh -c 'sleep 3 | nc 198.51.100.2 20999'
  like "$output" '198\.51\.100\.2\]?:20999 +(\[::ffff:)?198\.51\.100\.1\]?:[0-9]+' "source masqueraded to the host's address on the link"
}
