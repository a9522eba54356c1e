#!/usr/bin/env bats
# Volumes and bind mounts: -v forms, :ro, named volumes that outlive their
# container, anonymous volumes and rm -v, copy-up, volume create/ls/inspect/rm/prune.
load helpers

setup() {
  common_setup
  TMP=$(mktemp -d /tmp/ducker-bats-vol.XXXXXX)
  VOLS_BEFORE=$(ls "$DUCKER_ROOT/volumes" 2>/dev/null | sort)
}
teardown() {
  cleanup_new_objects   # containers first: they hold the volumes
  rm -rf "$TMP"
  local v
  for v in $(ls "$DUCKER_ROOT/volumes" 2>/dev/null); do
    grep -qx "$v" <<<"$VOLS_BEFORE" || "$DUCKER" volume rm -f "$v" >/dev/null 2>&1 || true
  done
  common_teardown       # last: its leak check decides the teardown's status
}

new_volumes() { comm -13 <(echo "$VOLS_BEFORE") <(ls "$DUCKER_ROOT/volumes" 2>/dev/null | sort); }

@test "bind mount: the container reads and writes the host dir; :ro refuses writes" {
  echo host > $TMP/in
  d run --rm -v $TMP:/mnt alpine sh -c 'cat /mnt/in; echo ctr > /mnt/out'
  is "$output" "host"
  is "$(cat $TMP/out)" "ctr"
  d --rc=1 run --rm -v $TMP:/mnt:ro alpine sh -c 'cat /mnt/in; echo x > /mnt/new'
  like "$output" "host"
  like "$output" "Read-only file system"
  [[ ! -e $TMP/new ]]
  d run --rm -v $TMP/in:/etc/motd:ro alpine cat /etc/motd
  is "$output" "host" "a single file can be bound too"
}

@test "bind mount is shown by --explain as ducker-init's mount lines" {
  d --explain run --rm -v $TMP:/mnt:ro alpine true
  like "$output" "mount --rbind $TMP [^ ]*/merged/mnt"
  like "$output" "mount -o remount,bind,ro [^ ]*/merged/mnt"
}

@test "a missing bind source is created, as Docker does; relative sources are refused" {
  d run --rm -v $TMP/new/dir:/data alpine sh -c 'echo hi > /data/f'
  is "$(cat $TMP/new/dir/f)" "hi"
  d --rc=125 run --rm -v ./rel:/data alpine true
  like "$output" "invalid characters for a local volume name"
  d --rc=125 run --rm -v $TMP:rel alpine true
  like "$output" "must be absolute"
}

@test "the destination is resolved inside the rootfs: /var/run -> /run stays in the container" {
  echo via-link > $TMP/f
  d run --rm -v $TMP:/var/run/bt-$$ alpine sh -c 'cat /run/bt-'$$'/f'
  is "$output" "via-link"
  [[ ! -e /run/bt-$$ ]]
}

@test "duplicate destinations are refused before anything is created" {
  n=$(safename)
  d --rc=125 run --name $n -v $TMP:/data -v /tmp:/data/ alpine true
  like "$output" "Duplicate mount point: /data"
  ! grep -qs "\"name\": \"$n\"" $DUCKER_ROOT/containers/*/config.json || false
  is "$(new_volumes)" ""
}

@test "a named volume is created on first use and keeps its data for the next container" {
  v=$(safename)
  d run --rm -v $v:/data alpine sh -c 'echo persisted > /data/f'
  d volume ls
  like "$output" "DRIVER +VOLUME NAME"
  like "$output" "local +$v"
  d volume ls -q
  like "$output" "$v"
  d run --rm -v $v:/other:ro alpine cat /other/f
  is "$output" "persisted"
  d volume inspect $v
  is "$(jq -r '.[0].Name + " " + .[0].Driver' <<<"$output")" "$v local"
  is "$(jq -r '.[0].Mountpoint' <<<"$output")" "$DUCKER_ROOT/volumes/$v/data"
  like "$(jq -r '.[0].CreatedAt' <<<"$output")" '^20[0-9]{2}-'
  d volume rm $v
  d --rc=1 volume inspect $v
  like "$output" "No such volume"
}

@test "volume create: generated 64-hex name; an existing name is a no-op" {
  d volume create
  like "$output" '^[0-9a-f]{64}$'
  gen=$output
  v=$(safename)
  d volume create $v
  is "$output" "$v"
  echo keep > $DUCKER_ROOT/volumes/$v/data/k
  d volume create $v
  is "$(cat $DUCKER_ROOT/volumes/$v/data/k)" "keep"
  d volume rm $gen $v
}

@test "volume names cannot traverse: volume rm ../images is refused" {
  d --rc=1 volume rm ../images
  like "$output" "invalid characters"
  [[ -d $DUCKER_ROOT/images ]]
  d --rc=125 volume create ../x
  d --rc=125 run --rm -v ..:/data alpine true
}

@test "copy-up: an empty volume starts with the image's content at its path" {
  v=$(safename)
  d run --rm -v $v:/etc/apk alpine ls /etc/apk
  like "$output" "repositories"
  [[ -f $DUCKER_ROOT/volumes/$v/data/repositories ]]
  # an anonymous volume gets it too
  d run --rm -v /etc/apk alpine cat /etc/apk/repositories
  like "$output" "alpine"
}

@test "rm -v removes anonymous volumes and never named ones; plain rm keeps them" {
  v=$(safename); a=$(safename); b=$(safename)
  d run --name $a -v /anon -v $v:/named alpine sh -c 'echo x > /anon/f; echo y > /named/f'
  anon=$(new_volumes | grep -vx "$v")
  [[ -n $anon && -f $DUCKER_ROOT/volumes/$anon/data/f ]]
  d rm $a
  [[ -d $DUCKER_ROOT/volumes/$anon ]]
  d volume rm $anon
  d run --name $b -v /anon -v $v:/named alpine true
  anon=$(new_volumes | grep -vx "$v")
  [[ -d $DUCKER_ROOT/volumes/$anon ]]
  d rm -v $b
  [[ ! -e $DUCKER_ROOT/volumes/$anon ]]
  [[ -f $DUCKER_ROOT/volumes/$v/data/f ]]
  d volume rm $v
}

@test "volume rm is refused while a container (running or stopped) uses it" {
  v=$(safename); n=$(safename)
  d run -d --name $n -v $v:/data alpine sleep 30
  d --rc=1 volume rm $v
  like "$output" "volume is in use"
  d stop -t 0 $n
  d --rc=1 volume rm $v
  like "$output" "volume is in use"
  d rm $n
  d volume rm $v
}

@test "volume prune removes only unused volumes (in a private data root: it is global)" {
  PRIV=$(mktemp -d /tmp/ducker-bats-root.XXXXXX)
  pd() { DUCKER_ROOT=$PRIV d "$@"; }
  pd run --name used --network none -v inuse:/data alpine true
  pd volume create unused
  pd volume prune
  like "$output" "Deleted Volumes:"
  like "$output" "unused"
  [[ -d $PRIV/volumes/inuse && ! -e $PRIV/volumes/unused ]]
  pd rm used
  pd volume prune
  like "$output" "inuse"
  rm -rf "$PRIV"
}

@test "run --rm removes its anonymous volumes, never named ones" {
  v=$(safename)
  d run --rm -v /anon -v $v:/named alpine true
  is "$(new_volumes)" "$v"
  d volume rm $v
}
