#!/usr/bin/env bats
# Images: the layer store, images, rmi, commit.
load helpers

setup() {
  common_setup
}
teardown() {
  cleanup_new_objects
  teardown_images
  common_teardown
}
layer_of() { "$DUCKER" inspect --format '{{json .RootFS.Layers}}' "$1" | tr -d '[]"' | tr ',' '\n' | tail -1 | sed 's/sha256://'; }

@test "images lists the built-in alpine; -q prints IDs" {
  d images
  like "${lines[0]}" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$'
  like "$output" $'\n''alpine +latest +[0-9a-f]{12} +.* +[0-9.]+[kM]B'
  d images -q
  like "$output" '^[0-9a-f]{12}'
  [[ $(echo "$output" | sort | uniq -d) == "" ]] || { echo "duplicate IDs: $output"; return 1; }
}

@test "commit: a deleted file is absent in the new image; env, cmd and workdir are kept; no log in the layer" {
  n=$(safename); mkimg $n:v1
  d run --name $n -e GREET=hello -w /root alpine sh -c 'rm /etc/motd; rm -rf /etc/apk; mkdir /etc/apk; touch /etc/apk/only; echo data > /root/file; echo LOGLINE'
  d commit $n $n:v1
  like "$output" '^sha256:[0-9a-f]{64}$'
  d run --rm $n:v1 sh -c 'ls /etc/motd 2>&1; ls /etc/apk; cat /root/file; echo $GREET; pwd'
  like "$output" 'No such file'
  like "$output" $'only\ndata\nhello\n/root'
  l=$(layer_of $n:v1)
  tar -tf "$DUCKER_ROOT/layers/$l/layer.tar" > $BATS_TEST_TMPDIR/list
  grep -qx 'etc/.wh.motd' $BATS_TEST_TMPDIR/list
  grep -qx 'etc/apk/.wh..wh..opq' $BATS_TEST_TMPDIR/list
  ! grep -q 'container.log' $BATS_TEST_TMPDIR/list || false
  ! grep -rqs LOGLINE "$DUCKER_ROOT/layers/$l/" || false
  [[ -c "$DUCKER_ROOT/layers/$l/diff/etc/motd" ]]  # stored as an overlay whiteout
}

@test "commit of a running container" {
  n=$(safename); mkimg $n:live
  d run -d --name $n alpine sh -c 'echo live > /live; sleep 60'
  wait_for 30 "$DUCKER" exec $n test -f /live
  d commit $n $n:live
  d run --rm $n:live cat /live
  is "$output" "live"
}

@test "rmi refuses an image a container uses; -f removes only the tag; layers stay while used" {
  n=$(safename); mkimg $n:a; mkimg $n:b
  d run --name $n alpine sh -c 'echo one > /one'
  d commit $n $n:a
  d run --name ${n}c $n:a true
  d --rc=1 rmi $n:a
  like "$output" 'container [0-9a-f]{12} is using its referenced image'
  d images
  like "$output" "$n +a"
  l=$(layer_of $n:a)
  d commit $n $n:b                # a second image sharing the base layers
  d rmi -f $n:a
  like "$output" "Untagged: $n:a"
  [[ -d "$DUCKER_ROOT/layers/$l" ]]   # the container still uses it
  d rm ${n}c
  d rmi $n:b
  d images -a
  [[ "$output" != *"$n"* ]]
}

@test "rmi: a layer is kept while another image uses it, deleted with the last one" {
  n=$(safename); mkimg $n:one; mkimg $n:two
  d run --name $n alpine sh -c 'echo shared > /shared'
  d commit $n $n:one
  l=$(layer_of $n:one)
  d run --name ${n}b $n:one true
  d commit ${n}b $n:two            # two's layers: alpine, $l, one empty layer
  d rm $n ${n}b
  d rmi $n:one
  [[ -d "$DUCKER_ROOT/layers/$l/diff" ]]
  d run --rm $n:two cat /shared
  is "$output" shared
  d rmi $n:two
  [[ ! -e "$DUCKER_ROOT/layers/$l" ]]
  d images
  like "$output" 'alpine +latest'   # the base layer is still there
}

@test "rmi of several images: each attempted, exit 1 if any failed" {
  n=$(safename); mkimg $n:x
  d run --name $n alpine true
  d commit $n $n:x
  d --rc=1 rmi no-such-image-$n $n:x
  like "$output" 'No such image: no-such-image'
  like "$output" "Untagged: $n:x"
  d --rc=1 rmi $n:x
}

@test "an image with 60 layers still runs (short overlay options)" {
  n=$(safename)
  img=alpine
  for i in $(seq 1 60); do
    d run --name $n-$i $img sh -c "echo $i > /layer-$i"
    d commit $n-$i $n:l$i
    mkimg $n:l$i
    img=$n:l$i
  done
  d run --rm $img sh -c 'cat /layer-1 /layer-60'
  is "$output" $'1\n60'
}
