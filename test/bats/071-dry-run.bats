#!/usr/bin/env bats
# --dry-run prints a POSIX sh script and changes nothing; run with sh, the
# script does what the command does. Each test: dry-run, check nothing
# changed, run the script, compare with the real command.

# A private data root, default bridge and subnet (own-root.bash): "nothing
# changed" compares the whole data root, which other suites running at the
# same time on the shared root would disturb.
export DUCKER_ISO_ROOT=${DUCKER_DRY_ROOT:-/tmp/dk-dry-root}
load own-root
export DUCKER_DEFAULT_BRIDGE=dkd0 DUCKER_DEFAULT_SUBNET=10.252.0.0/16
# Networks a failed test left behind go too.
eval "$(declare -f teardown | sed '1s/teardown/own_teardown/')"
teardown() {
  local n
  for n in $(ls "$DUCKER_ROOT/nets" 2>/dev/null | grep '^bt'); do
    for c in $(ls "$DUCKER_ROOT/containers" 2>/dev/null); do timeout 30 "$DUCKER" rm -f "$c" >/dev/null 2>&1 || true; done
    timeout 30 "$DUCKER" network rm "$n" >/dev/null 2>&1 || true
  done
  own_teardown
}

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
  ! grep -q "$ida" /proc/mounts || false
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
  ! ip link show "$br" 2>/dev/null || false
  ! iptables-save | grep -q -- "$br" || false
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

# An image's top layer as a listing (type, mode, owner, size, link target,
# overlay whiteouts and opaque dirs): ID- and time-free.
top_layer() {
  local l; l=$("$DUCKER" inspect "$1" | sed -n 's/.*"sha256:\([0-9a-f]\{64\}\)".*/\1/p' | tail -1)
  (cd "$DUCKER_ROOT/layers/$l/diff" && find . -printf '%p %y %m %U:%G %s %l\n' | sort && getfattr -R -P -d -m '^trusted\.overlay\.opaque$' . 2>/dev/null)
  ls "$DUCKER_ROOT/layers/$l"
  [[ -L $DUCKER_ROOT/layers/l/${l:0:12} ]] && echo "short link"
}
img_id() { "$DUCKER" inspect -f '{{.Id}}' "$1" | sed 's/^sha256://'; }

@test "dry-run: commit, as a script, makes the same image (layer files, whiteouts, config) as commit" {
  local a i1 i2; a=$(safename); i1=$(safename):dry; i2=$(safename):real
  d run --name "$a" alpine sh -c 'echo new > /newfile; chmod 751 /newfile; rm /etc/motd; rm -rf /etc/apk; mkdir /etc/apk; echo x > /etc/apk/keep; ln -s /newfile /lnk'
  dry commit "$a" "$i1"
  like "$script" 'DIFF=\$\(sha256sum' "the script hashes the layer it makes"
  play
  d commit "$a" "$i2"
  is "$(top_layer "$i1")" "$(top_layer "$i2")" "top layer: script vs real"
  like "$(top_layer "$i1")" 'etc/motd c ' "the whiteout is an overlay one"
  # The ID is the sha256 of the compact config, as ducker computes it.
  local id; id=$(img_id "$i1")
  is "$(node -e 'const {id, ...b} = JSON.parse(require("fs").readFileSync(process.argv[1])); process.stdout.write(require("crypto").createHash("sha256").update(JSON.stringify({ ...b, repoTags: [] })).digest("hex"))' "$DUCKER_ROOT/images/$id/config.json")" "$id" "image ID"
  is "$("$DUCKER" inspect -f '{{.Config.Cmd}}' "$i1")" "$("$DUCKER" inspect -f '{{.Config.Cmd}}' "$i2")"
  d run --rm "$i1" sh -c 'cat /newfile; ls /etc/apk; test ! -e /etc/motd'
  is "$output" $'new\nkeep'
  d rmi "$i1" "$i2"
}

@test "dry-run: save, as a script, writes the same archive (ducker load accepts it)" {
  local a img; a=$(safename); img=$(safename):s
  d run --name "$a" alpine sh -c 'echo saved > /s'
  d commit "$a" "$img"
  local t; t=$(mktemp -d)
  dry save -o "$t/dry.tar.gz" "$img"
  [[ ! -e $t/dry.tar.gz ]]
  play
  d save -o "$t/real.tar.gz" "$img"
  mkdir "$t/x" "$t/y"
  tar -xzf "$t/dry.tar.gz" -C "$t/x"; tar -xzf "$t/real.tar.gz" -C "$t/y"
  diff -r "$t/x" "$t/y"
  is "$(stat -c %a "$t/dry.tar.gz")" 644
  d rmi "$img"
  d load -i "$t/dry.tar.gz"
  like "$output" "Loaded image: $img"
  d run --rm "$img" cat /s
  is "$output" saved
  d rmi "$img"
  rm -rf "$t"
}

@test "dry-run: load and rmi, as scripts, do what load and rmi do" {
  local a img; a=$(safename); img=$(safename):l
  d run --name "$a" alpine sh -c 'echo loaded > /l; rm /etc/motd'
  d commit "$a" "$img"
  local t; t=$(mktemp -d)
  d save -o "$t/i.tar.gz" "$img"
  local id; id=$(img_id "$img")
  local layer; layer=$("$DUCKER" inspect "$img" | sed -n 's/.*"sha256:\([0-9a-f]\{64\}\)".*/\1/p' | tail -1)
  dry rmi "$img"; play
  [[ ! -e $DUCKER_ROOT/images/$id ]]
  [[ ! -e $DUCKER_ROOT/layers/$layer && ! -e $DUCKER_ROOT/layers/l/${layer:0:12} ]]
  local gone; gone=$(root_snapshot)
  dry load -i "$t/i.tar.gz"
  [[ -z $(find /tmp -maxdepth 1 -name 'ducker-load-*' -newer "$t/i.tar.gz") ]]
  play
  local byscript; byscript=$(root_snapshot)
  local sid; sid=$(img_id "$img")
  d run --rm "$img" sh -c 'cat /l; test ! -e /etc/motd'
  is "$output" loaded
  d rmi "$img"
  is "$(root_snapshot)" "$gone" "rmi after the script's load: back to before"
  d load -i "$t/i.tar.gz"
  is "$(root_snapshot)" "$byscript" "data root: script's load vs real load"
  is "$(img_id "$img")" "$sid" "image ID: script's load vs real load"
  d rmi "$img"
  rm -rf "$t"
}

@test "dry-run: network connect/disconnect, as scripts, do what the commands do" {
  local a b n; a=$(safename); b=$(safename); n=$(safename)
  d network create "$n"
  d run -d --name "$a" alpine sleep 300
  d run -d --name "$b" alpine sleep 300
  dry network connect "$n" "$a"; play
  d network connect "$n" "$b"
  ifs() { "$DUCKER" exec "$1" ip -o -4 addr show | awk '{print $2}' | sort; }
  is "$(ifs "$a")" "$(ifs "$b")" "interfaces: script vs real"
  like "$(ifs "$a")" eth1
  d exec "$b" ping -c1 -W2 "$a"
  d network inspect "$n"
  like "$output" "\"$a\"" "the network records the container"
  dry network disconnect "$n" "$a"; play
  d network disconnect "$n" "$b"
  is "$(ifs "$a")" "$(ifs "$b")" "after disconnect"
  ! ifs "$a" | grep -q eth1 || false
  d network inspect "$n"
  ! grep -q "\"$a\"" <<<"$output" || false
  d rm -f "$a" "$b"
  d network rm "$n"
}

@test "dry-run: cp both ways, as scripts, copy the same content and mode as cp" {
  local a t; a=$(safename); t=$(mktemp -d)
  d run -d --name "$a" alpine sh -c 'printf out > /o; chmod 640 /o; sleep 300'
  printf 'in\n' > "$t/in"; chmod 604 "$t/in"
  dry cp "$t/in" "$a:/dry-in"; play
  d cp "$t/in" "$a:/real-in"
  d exec "$a" sh -c 'cat /dry-in; stat -c %a /dry-in; stat -c %a /real-in'
  is "$output" $'in\n604\n604'
  dry cp "$a:/o" "$t/dry-o"; [[ ! -e $t/dry-o ]]; play
  d cp "$a:/o" "$t/real-o"
  is "$(cat "$t/dry-o") $(stat -c %a "$t/dry-o")" "out 640"
  is "$(stat -c '%a %s' "$t/dry-o")" "$(stat -c '%a %s' "$t/real-o")"
  rm -rf "$t"
}

@test "dry-run: cp with a stopped container, both ways and with -, as scripts: paths resolved in the unmounted layers, links stay inside" {
  local a t m; a=$(safename); t=$(mktemp -d)
  # A link to /etc, a whiteout (motd) and an opaque dir (/etc/apk) in the upper dir.
  d run --name "$a" alpine sh -c 'printf out > /o; chmod 640 /o; ln -s /etc /lnk; rm /etc/motd; rm -rf /etc/apk; mkdir /etc/apk; echo k > /etc/apk/keep'
  m="$DUCKER_ROOT/containers/$(cid "$a")/merged"
  mounted() { grep -c " $m " /proc/mounts || true; }
  is "$(mounted)" 0 "stopped: not mounted"
  # out: a file, through the link (the container's /etc, not the host's), a dir's contents
  dry cp "$a:/o" "$t/dry-o"; [[ ! -e $t/dry-o ]]; play
  d cp "$a:/o" "$t/real-o"
  is "$(cat "$t/dry-o") $(stat -c %a "$t/dry-o")" "out 640"
  is "$(stat -c '%a %s %Y' "$t/dry-o")" "$(stat -c '%a %s %Y' "$t/real-o")"
  dry cp "$a:/lnk/os-release" "$t/dry-rel"; play
  like "$(cat "$t/dry-rel")" 'ID=alpine' "/lnk/os-release is the container's"
  mkdir "$t/dry-apk" "$t/real-apk"
  dry cp "$a:/lnk/apk/." "$t/dry-apk"; play
  d cp "$a:/lnk/apk/." "$t/real-apk"
  is "$(ls -A "$t/dry-apk")" "keep" "opaque dir: the image's /etc/apk is hidden"
  is "$(ls -A "$t/real-apk")" "keep"
  ds --rc=1 --dry-run cp "$a:/etc/motd" "$t/x"
  like "$stderr" 'Could not find the file /etc/motd' "whiteout: deleted in the container"
  # in: through the link, into the container's /etc, never the host's
  printf 'in\n' > "$t/in"; chmod 604 "$t/in"
  dry cp "$t/in" "$a:/lnk/dk-dry-in-$$"; play
  [[ ! -e /etc/dk-dry-in-$$ ]]
  d cp "$t/in" "$a:/lnk/dk-real-in-$$"
  [[ ! -e /etc/dk-real-in-$$ ]]
  d cp "$a:/etc/dk-dry-in-$$" "$t/back-dry"; d cp "$a:/etc/dk-real-in-$$" "$t/back-real"
  is "$(cat "$t/back-dry") $(stat -c %a "$t/back-dry")" "in 604"
  is "$(stat -c '%a %s' "$t/back-dry")" "$(stat -c '%a %s' "$t/back-real")"
  # - both ways
  dry cp "$a:/lnk/apk" -; sh -c "$script" > "$t/out.tar"
  is "$(tar -tf "$t/out.tar" | sort | tr '\n' ' ')" "apk/ apk/keep "
  mkdir "$t/s"; echo streamed > "$t/s/st"; tar -C "$t/s" -cf "$t/s.tar" st
  dry cp - "$a:/lnk"; sh -c "$script" < "$t/s.tar"
  [[ ! -e /etc/st ]]
  d cp "$a:/etc/st" -
  like "$output" streamed
  is "$(mounted)" 0 "each script unmounted the overlay again"
  rm -rf "$t"
}

# A build context whose steps miss the cache (unique ENV), with RUN
# whiteouts and an opaque dir, COPY of a file and a dir, WORKDIR, EXPOSE, CMD.
build_ctx() {
  mkdir -p "$1/sub"; echo hello > "$1/f.txt"; chmod 640 "$1/f.txt"; echo s > "$1/sub/s"
  cat > "$1/Duckerfile" <<EOF2
FROM alpine
ENV UNIQ=$2 B="two words"
WORKDIR /app
RUN echo ran > /ran; rm /etc/motd; rm -rf /etc/apk; mkdir /etc/apk; echo k > /etc/apk/keep
COPY f.txt sub ./
EXPOSE 8080 53/udp
RUN cat f.txt > copied; echo "\$B" >> copied
CMD ["cat", "/app/copied"]
EOF2
}
img_config() { "$DUCKER" inspect -f '{{json .Config.Env}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{json .Config.ExposedPorts}}' "$1"; }
img_files() { "$DUCKER" run --rm "$1" sh -c 'cat /app/copied /ran /etc/apk/keep; ls /etc/apk; test ! -e /etc/motd && echo no-motd; find /app | sort; stat -c "%n %a %u" /app/f.txt /app/s'; }

@test "dry-run: build, as a script, makes an image with the files and config of a real build" {
  local t a b; t=$(mktemp -d); a=$(safename):dry; b=$(safename):real
  build_ctx "$t" "$(safename)"
  dry build -t "$a" "$t"
  like "$script" 'DIFF_5=\$\(sha256sum' "per-step layer variables"
  like "$script" 'ID_7=\$\(printf' "per-step image ID variables"
  like "$script" 'GNU tar' "says why the IDs differ from a real build's"
  play
  like "$output" "Successfully tagged $a"
  d build --no-cache -t "$b" "$t"
  is "$(img_files "$a")" "$(img_files "$b")" "files: script vs real"
  like "$(img_files "$a")" $'hello\ntwo words\nran\nk\nkeep\nno-motd'
  is "$(img_config "$a")" "$(img_config "$b")" "env, cmd, workdir, ports: script vs real"
  like "$(img_config "$a")" '"8080/tcp":\{\}'
  # The script's images carry the real cache keys: a real build reuses them all.
  d build -t "$(safename)" "$t"
  is "$(grep -c -- '--> CACHED' <<<"$output")" 7 "a real build after the script is all cached"
  rm -rf "$t"
}

@test "dry-run: a fully cached build's script only tags; a failed RUN fails the script" {
  local t a b; t=$(mktemp -d); a=$(safename):one; b=$(safename):two
  build_ctx "$t" "$(safename)"
  d build -t "$a" "$t"
  dry build -t "$b" "$t"
  is "$(grep -c -- '--> CACHED' <<<"$script")" 7 "every step cached"
  ! grep -Eq '(^| )(tar|unshare|mount) ' <<<"$script" || false
  play
  is "$(img_id "$b")" "$(img_id "$a")" "the tag names the cached image"
  printf 'FROM %s\nRUN echo x > /x; exit 4\n' "$a" > "$t/Duckerfile"
  dry build "$t"
  run sh -c "$script"
  is "$status" 1 "the script fails as the build does"
  like "$output" 'RUN echo x > /x; exit 4 returned a non-zero code: 4'
  [[ -z $(ls "$DUCKER_ROOT/containers") ]]
  rm -rf "$t"
}
