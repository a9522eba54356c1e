#!/usr/bin/env bats
# The bad-input catalogue: every case must fail with the exact exit code and
# one `ducker: ...` line on stderr, and leave the data root and the host
# (mounts, links, netns, iptables rules, cgroups) exactly as they were.
# `bad RC ARGS...` (own-root.bash) does all of that per case.
load own-root

LONG256=$(printf 'a%.0s' $(seq 256))
LONG300=$(printf 'x%.0s' $(seq 300))

setup() {
  common_setup
  # things the cases refer to, made before the snapshots of each case
  d images >/dev/null   # the built-in image is imported on first use
  CTX=$BATS_TEST_TMPDIR/ctx
  mkdir -p "$CTX"
}

duckerfile() { printf '%b\n' "$1" > "$CTX/Duckerfile"; }

@test "bad input: run flags and values" {
  bad 125 run
  bad 125 run --bogus-flag alpine true
  bad 125 run --rm -e "=x" alpine true
  bad 125 run --rm -e "" alpine true
  bad 125 run --rm -w relative alpine true
  bad 125 run --rm -w "" alpine true
  bad 125 run --rm --cap-add NET_FLY alpine true
  bad 125 run --rm --cap-drop "" alpine true
}

@test "bad input: run names, images and refs, with traversal and length limits" {
  bad 125 run --rm nosuchimage:latest true
  bad 125 run --rm ../../etc true
  bad 125 run --rm alpine:../../x true
  bad 125 run --rm "alpine@sha256:../../x" true
  bad 125 run --rm "$LONG300" true
  bad 125 run --rm --name ../x alpine true
  bad 125 run --rm --name "a/b" alpine true
  bad 125 run --rm --name "" alpine true
  bad 125 run --rm --name "-x" alpine true
}

@test "bad input: -p, -v, -m, --cpus, --pids-limit, --network" {
  bad 125 run --rm -p abc alpine true
  bad 125 run --rm -p 99999:80 alpine true
  bad 125 run --rm -p 0:80 alpine true
  bad 125 run --rm -p 20001:80/sctp alpine true
  bad 125 run --rm -p 1.2.3.4.5:20001:80 alpine true
  bad 125 run --rm -p "" alpine true
  bad 125 run --rm -v relative:/x:zz alpine true
  bad 125 run --rm -v /tmp:relative alpine true
  bad 125 run --rm -v ../vol:/x alpine true
  bad 125 run --rm -v "$LONG256:/x" alpine true
  bad 125 run --rm -v "" alpine true
  bad 125 run --rm -m 10x alpine true
  bad 125 run --rm -m -1 alpine true
  bad 125 run --rm -m 1b alpine true
  bad 125 run --rm -m 99999999999999999999g alpine true
  bad 125 run --rm --cpus abc alpine true
  bad 125 run --rm --cpus -1 alpine true
  bad 125 run --rm --cpus 1e400 alpine true
  bad 125 run --rm --cpus 0 alpine true
  bad 125 run --rm --pids-limit x alpine true
  bad 125 run --rm --network nosuchnet alpine true
  bad 125 run --rm --network ../../x alpine true
}

@test "bad input: container commands with unknown names and traversal" {
  bad 1 exec nosuch true
  bad 1 exec ../x true
  bad 1 stop nosuch
  bad 125 stop -t abc nosuch
  bad 1 start ../../x
  bad 1 rm nosuch
  bad 1 rm ../../x
  bad 1 rm ""
  bad 1 logs nosuch
  bad 1 inspect nosuch
  bad 1 stats nosuch
  bad 1 cp nosuch:/x "$BATS_TEST_TMPDIR/y"
  bad 1 cp /etc/hostname ../x:/x
  bad 125 nosuchcommand
  bad 125 ps --bogus
}

@test "bad input: _exited with a path instead of an ID touches nothing" {
  # the monitor's hook takes an ID from the command line: never a path
  mkdir -p "$BATS_TEST_TMPDIR/victim"
  echo '{"id":"x","state":{"status":"exited"},"hostConfig":{"autoRemove":true}}' > "$BATS_TEST_TMPDIR/victim/config.json"
  ds --rc=any _exited "../../..$BATS_TEST_TMPDIR/victim"
  [[ -f $BATS_TEST_TMPDIR/victim/config.json ]]
}

@test "bad input: images, rmi, save, load" {
  bad 1 rmi nosuch
  bad 1 rmi ../../x
  bad 125 images --bogus
  bad 1 save -o "$BATS_TEST_TMPDIR/x.tar" nosuch
  bad 125 load -i /nonexistent.tar
  bad 125 load -i /etc/passwd
  : > "$BATS_TEST_TMPDIR/empty.tar"
  bad 125 load -i "$BATS_TEST_TMPDIR/empty.tar"
  head -c 3000 "$PROJECT/assets/alpine-minirootfs-3.20.3-x86_64.tar.gz" > "$BATS_TEST_TMPDIR/trunc.tar.gz"
  bad 125 load -i "$BATS_TEST_TMPDIR/trunc.tar.gz"
}

@test "bad input: archives with every kind of malice are refused whole" {
  local kind
  for kind in dotdot abs symlink hardlink device outer tamper; do
    python3 "$BATS_TEST_DIRNAME/mkarchive.py" "$BATS_TEST_TMPDIR/$kind.tar" "$kind"
    bad 125 load -i "$BATS_TEST_TMPDIR/$kind.tar"
  done
  # a config whose layer list holds ../ (digests otherwise right)
  python3 - "$BATS_TEST_TMPDIR/layers-dotdot.tar" <<'EOF'
import hashlib, io, json, sys, tarfile
cfg = json.dumps({'os': 'linux', 'config': {}, 'rootfs': {'type': 'layers', 'diff_ids': ['sha256:../../../../tmp']}}).encode()
h = hashlib.sha256(cfg).hexdigest()
man = json.dumps([{'Config': h + '.json', 'RepoTags': ['evil-layers:latest'], 'Layers': ['../../../../tmp/layer.tar']}]).encode()
with tarfile.open(sys.argv[1], 'w') as t:
    for name, data in ((h + '.json', cfg), ('manifest.json', man)):
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
EOF
  bad 125 load -i "$BATS_TEST_TMPDIR/layers-dotdot.tar"
  [[ ! -e /tmp/ducker-evil-dotdot && ! -e /tmp/ducker-evil-abs && ! -e /tmp/ducker-evil-symlink ]]
}

@test "bad input: Duckerfiles with every kind of mistake" {
  duckerfile ""
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM"
  bad 1 build -t bi:t "$CTX"
  duckerfile "RUN true"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nBOGUS x"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nCOPY ../../etc/passwd /x"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nCOPY nosuchfile /x"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM nosuchimage\nRUN true"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nEXPOSE abc"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nWORKDIR"
  bad 1 build -t bi:t "$CTX"
  duckerfile 'FROM alpine\nCMD ["unterminated'
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine\nADD /etc/passwd /x"
  bad 1 build -t bi:t "$CTX"
  duckerfile "FROM alpine"
  bad 125 build -t ../x "$CTX"
  bad 125 build -t "Upper:case" "$CTX"
  bad 1 build -t bi:t /nonexistent
}

@test "bad input: a failing RUN leaves nothing behind" {
  duckerfile "FROM alpine\nRUN exit 3"
  bad 1 build -t bi:t "$CTX"
}

@test "bad input: volumes and networks, traversal and length limits" {
  bad 1 volume rm ../images
  bad 125 volume create ../x
  bad 125 volume create "$LONG256"
  bad 1 volume inspect ../x
  bad 1 network create ../../x
  bad 1 network create ""
  bad 1 network create "$LONG256"
  bad 1 network create --subnet 10.0.0.0/99 netx1
  bad 1 network create --subnet bogus netx2
  bad 1 network rm ../../x
  bad 1 network rm ducker
  bad 1 network inspect nosuch
  bad 1 network connect nosuch nosuch
  bad 1 network disconnect nosuch nosuch
}

@test "protected state: data root 0700, records 0600" {
  name=$(safename)
  d run --name "$name" alpine true
  is "$(stat -c %a "$DUCKER_ROOT")" 700 "data root mode"
  local f bad_modes=''
  for f in $(find "$DUCKER_ROOT" -name config.json -o -name '*.json' -path '*/nets/*'); do
    [[ $(stat -c %a "$f") == 600 ]] || bad_modes+=" $f"
  done
  is "$bad_modes" "" "config files not 0600"
  d rm "$name"
}

@test "protected state: a truncated config.json is listed as broken and rm -f removes it all" {
  name=$(safename)
  d run -d --name "$name" alpine sleep 300
  id=$output
  d run --name "${name}b" alpine true
  local cfg=$DUCKER_ROOT/containers/$id/config.json
  head -c 100 "$cfg" > "$cfg.cut" && mv "$cfg.cut" "$cfg"
  d ps -a
  like "$output" "${id:0:12} .*Broken"
  like "$output" "${name}b"
  d rm -f "${id:0:10}"
  [[ ! -e $DUCKER_ROOT/containers/$id ]]
  ! ip netns list | grep -q "${id:0:12}" || false
  ! grep -q "$id" /proc/mounts || false
  ! ls -d /sys/fs/cgroup/*/ducker/"$id" 2>/dev/null || false
  ! pgrep -f "sleep 300" -a | grep -q "$id" || false
  d ps -a
  ! grep -q "${id:0:12}" <<<"$output" || false
  d rm "${name}b"
}
