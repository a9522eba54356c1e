#!/usr/bin/env bats
# Published ports (-p): tcp and udp, 127.0.0.1 and the host's own address,
# automatic host ports, conflicts, exact rule removal. Traffic goes only to
# containers and to a netns this file creates; host ports above 20000.
load helpers

teardown() {
  [[ -n ${LISTENER:-} ]] && kill "$LISTENER" 2>/dev/null
  remove_outside_host
  common_teardown
}

# A free-looking port in 20000-29999 (the conflict checks guard the rest).
port() { echo $((20000 + RANDOM % 10000)); }
# The host's own non-loopback address (not one of ducker's bridges).
host_ip() { ip -4 -o addr show scope global | awk '$2 !~ /^(ducker|dk|vd)/ { sub("/.*", "", $4); print $4; exit }'; }
# Reads the request before answering: closing a socket with unread data
# sends a reset, which curl may see before the reply (exit 56).
RESPONDER='nc -lk -p 80 -e sh -c "while read -r l; do [ \${#l} -le 1 ] && break; done; printf \"HTTP/1.0 200 OK\r\n\r\nhello from ducker\n\""'
get() { curl -s -m 3 "http://$1/"; }

@test "-p HOST:80 answers on 127.0.0.1 and on the host's own address" {
  local p=$(port) a=$(safename)
  d run -d --name "$a" -p "$p:80" alpine sh -c "$RESPONDER"
  wait_for 30 get "127.0.0.1:$p"
  is "$(get "127.0.0.1:$p")" "hello from ducker"
  local hip; hip=$(host_ip)
  [[ -n $hip ]] || skip "no non-loopback address"
  is "$(get "$hip:$p")" "hello from ducker"
  d ps
  like "$output" "0\.0\.0\.0:$p->80/tcp +$a"
}

@test "-p HOST:5353/udp: a datagram round-trips" {
  local p=$(port) a=$(safename)
  d run -d --name "$a" -p "$p:5353/udp" alpine nc -u -lk -p 5353 -e cat
  local reply='' i fd
  for i in 1 2 3 4 5; do
    exec {fd}<>"/dev/udp/127.0.0.1/$p"   # bats owns fd 3
    printf 'ping-%s\n' "$i" >&"$fd"
    reply=$(timeout 1 dd bs=512 count=1 status=none <&"$fd" || true)  # one datagram
    exec {fd}<&-
    [[ -n $reply ]] && break
  done
  like "$reply" '^ping-[0-9]$' "echoed datagram"
  d inspect -f '{{.NetworkSettings.Ports}}' "$a"
  like "$output" "0\.0\.0\.0:$p->5353/udp"
}

@test "-p 80 picks a free host port that ps shows and that works; several -p" {
  local a=$(safename) p=$(port)
  d run -d --name "$a" -p 80 -p "127.0.0.1:$p:80" alpine sh -c "$RESPONDER"
  d ps
  like "$output" "0\.0\.0\.0:[0-9]+->80/tcp, 127\.0\.0\.1:$p->80/tcp"
  local auto; auto=$(sed -nE "s/.*0\.0\.0\.0:([0-9]+)->80\/tcp.*$a.*/\1/p" <<<"$output")
  [[ $auto -ge 32768 ]]
  wait_for 30 get "127.0.0.1:$auto"
  is "$(get "127.0.0.1:$auto")" "hello from ducker"
  wait_for 30 get "127.0.0.1:$p"
  # bound to 127.0.0.1 only: the host's other address is not published
  local hip; hip=$(host_ip)
  [[ -z $hip ]] || ! get "$hip:$p"
}

@test "a port held by a container or a host process is refused before anything is created" {
  local p=$(port) q=$(port) a=$(safename) b=$(safename)
  [[ $p != "$q" ]] || q=$((p + 1))
  d run -d --name "$a" -p "$p:80" alpine sleep 60
  local before; before=$(ls "$DUCKER_ROOT/containers" | wc -l)
  d --rc=125 run -d --name "$b" -p "$p:80" alpine sleep 60
  is "$output" "ducker: port $p/tcp is already allocated (hint: choose another host port, or stop what holds it)"
  d --rc=125 run --rm -p "$q:1" -p "$q:2" alpine true
  like "$output" "port $q/tcp is already allocated"
  busybox nc -ll -p "$q" -e true & LISTENER=$!
  wait_for 30 sh -c "grep -qi ':$(printf %04X "$q") .* 0A ' /proc/net/tcp /proc/net/tcp6"
  d --rc=125 run --rm -p "$q:80" alpine true
  is "$output" "ducker: port $q/tcp is already allocated (hint: choose another host port, or stop what holds it)"
  is "$(ls "$DUCKER_ROOT/containers" | wc -l)" "$before" "no container was created"
  d run --rm -p "$q:80/udp" alpine true  # udp is another port
}

@test "stop, start and rm add and remove exactly the container's rules" {
  local p=$(port) a=$(safename)
  d run -d --name "$a" -p "$p:80" alpine sh -c "$RESPONDER"
  local id; id=$("$DUCKER" inspect -f '{{.Id}}' "$a")
  is "$(iptables -t nat -S DUCKER | grep -c "dk-${id:0:12}")" 1 "one DNAT rule"
  d stop -t 0 "$a"
  is "$(iptables -t nat -S DUCKER | grep -c "dk-${id:0:12}")" 0 "none after stop"
  d start "$a"
  is "$(iptables -t nat -S DUCKER | grep -c "dk-${id:0:12}")" 1 "back on start"
  wait_for 30 get "127.0.0.1:$p"
  d rm -f "$a"
  is "$(iptables -t nat -S DUCKER | grep -c "dk-${id:0:12}")" 0 "none after rm"
  # the jumps into DUCKER only match traffic addressed to this host
  like "$(iptables -t nat -S OUTPUT)" '-A OUTPUT -m addrtype --dst-type LOCAL -j DUCKER'
  like "$(iptables -t nat -S PREROUTING)" '-A PREROUTING -m addrtype --dst-type LOCAL -j DUCKER'
}

@test "a published port never captures the host's traffic to another machine" {
  local p=$(port) a=$(safename)
  make_outside_host 198.51.100.5 198.51.100.6
  ip netns exec "$OUTSIDE" busybox nc -ll -p "$p" -e sh -c 'while read -r l; do [ ${#l} -le 1 ] && break; done; printf "HTTP/1.0 200 OK\r\n\r\nthe outside\n"' &
  d run -d --name "$a" -p "$p:80" alpine sh -c "$RESPONDER"
  wait_for 30 get "127.0.0.1:$p"
  wait_for 30 get "198.51.100.6:$p"
  is "$(get "198.51.100.6:$p")" "the outside"
  is "$(get "127.0.0.1:$p")" "hello from ducker"
}
