#!/usr/bin/env bats
# cp between containers and the host: files and directories, running and
# stopped containers, Docker's path rules, tar streams, and symlinks that
# must never lead out of the container.
load helpers

setup() {
  common_setup
  TMP=$(mktemp -d /tmp/ducker-bats-cp.XXXXXX)
  SECRET=/tmp/ducker-bats-secret-$$-$RANDOM
  echo HOST-SECRET > $SECRET
}
teardown() {
  rm -rf "$TMP" "$SECRET" /tmp/ducker-bats-written-$$ /tmp/ducker-bats-target-$$
  common_teardown       # last: its leak check decides the teardown's status
}

# A stopped container with files, a directory and hostile symlinks.
# $SECRET exists on the host AND (with other content) in the container.
make_ctr() {
  n=$(safename)
  d run --name $n alpine sh -c "
    mkdir -p /d/sub /tmp && echo file-in-ctr > /d/sub/f && chmod 640 /d/sub/f && touch -d '2001-02-03 04:05:06' /d/sub/f
    echo ctr-secret > $SECRET
    ln -s $SECRET /etc/evil                 # absolute link, final component
    ln -s ../../../../../../../.. /d/up     # .. chain
    ln -s /tmp /d/mid                       # link in the middle of a path
    mkdir -p /data /data2 && ln -s /tmp/ducker-bats-target-$$ /data/sub && ln -s /tmp/ducker-bats-target-$$ /data2/sub"
}

@test "cp from a stopped container: file, directory, into an existing dir, trailing /." {
  make_ctr
  d cp $n:/d/sub/f $TMP/f
  is "$(cat $TMP/f)" "file-in-ctr"
  is "$(stat -c '%a %Y' $TMP/f)" "640 $(date -d '2001-02-03 04:05:06' +%s)" "mode and mtime kept"
  mkdir $TMP/into
  d cp $n:/d/sub/f $TMP/into
  [[ -f $TMP/into/f ]]
  d cp $n:/d $TMP/newdir
  [[ -f $TMP/newdir/sub/f && -L $TMP/newdir/up ]]
  d cp $n:/d $TMP/into
  [[ -f $TMP/into/d/sub/f ]]
  mkdir $TMP/contents
  d cp $n:/d/. $TMP/contents
  [[ -f $TMP/contents/sub/f ]]
  d --rc=1 cp $n:/nope $TMP/x
  like "$output" "Could not find the file /nope"
  d --rc=1 cp $n:/d $TMP/f
  like "$output" "cannot copy a directory to a file"
  # the stopped container's rootfs was mounted only for the copy
  ! grep -q "$(cat $DUCKER_ROOT/containers/*/config.json | jq -r "select(.name==\"$n\") | .id")/merged" /proc/mounts || false
}

@test "cp into a running container, and back; ownership and modes kept going in" {
  n=$(safename)
  d run -d --name $n alpine sleep 60
  mkdir -p $TMP/src/inner
  echo hello > $TMP/src/inner/h
  chmod 600 $TMP/src/inner/h
  chown 1234:4321 $TMP/src/inner/h
  d cp $TMP/src $n:/opt
  d exec $n stat -c '%a %u %g' /opt/src/inner/h
  is "$output" "600 1234 4321"
  d cp $TMP/src/inner/h $n:/root/renamed
  d exec $n cat /root/renamed
  is "$output" "hello"
  d cp $TMP/src/. $n:/tmp/
  d exec $n cat /tmp/inner/h
  is "$output" "hello"
  d cp $n:/opt/src/inner/h $TMP/back
  is "$(cat $TMP/back)" "hello"
  d --rc=1 cp $TMP/src/inner/h $n:/no/such/dir/x
  d --rc=1 cp $TMP/src $n:/root/renamed
  like "$output" "cannot copy a directory to a file"
}

@test "cp with - streams a tar archive both ways" {
  make_ctr
  "$DUCKER" cp $n:/d - > $TMP/out.tar
  tar -tf $TMP/out.tar | grep -qx 'd/sub/f'
  mkdir $TMP/t && echo streamed > $TMP/t/s && tar -C $TMP/t -cf - s | "$DUCKER" cp - $n:/root
  d cp $n:/root/s -
  like "$output" "streamed"
}

@test "symlinks never lead out of the container: reading" {
  make_ctr
  # final component: the link itself is copied, as Docker does; following it (/.) stays inside
  "$DUCKER" cp $n:/etc/evil - > $TMP/evil.tar
  is "$(tar -tvf $TMP/evil.tar | awk '{print $6, $7, $8}')" "evil -> $SECRET"
  ! grep -q HOST-SECRET $TMP/evil.tar || false
  d cp $n:/etc/evil $TMP/lnk
  [[ -L $TMP/lnk ]]
  for p in /d/up$SECRET /d/mid/$(basename $SECRET) /d/up/../../d/mid/../d/mid/$(basename $SECRET); do
    rm -f $TMP/got
    d cp "$n:$p" $TMP/got
    is "$(cat $TMP/got)" "ctr-secret" "$p resolves inside the container"
  done
}

@test "symlinks never lead out of the container: writing" {
  make_ctr
  echo from-host > $TMP/payload
  d cp $TMP/payload $n:/etc/evil                           # final link: written to the container's $SECRET
  is "$(cat $SECRET)" "HOST-SECRET"
  d cp $TMP/payload $n:/d/up/tmp/ducker-bats-written-$$     # .. chain
  d cp $TMP/payload $n:/d/mid/ducker-bats-written-$$         # link in the middle
  [[ ! -e /tmp/ducker-bats-written-$$ ]]
  d cp $n:$SECRET $TMP/check
  is "$(cat $TMP/check)" "from-host"
  d cp $n:/tmp/ducker-bats-written-$$ $TMP/check2
  is "$(cat $TMP/check2)" "from-host"
  # A directory copied over a path holding an escaping symlink: the link is
  # replaced, and nothing lands in the host dir of the same name.
  mkdir -p /tmp/ducker-bats-target-$$
  mkdir -p $TMP/data/sub && echo x > $TMP/data/sub/file
  d cp $TMP/data $n:/
  d cp $n:/data/sub/file $TMP/back
  is "$(cat $TMP/back)" "x"
  # A tar stream whose member goes through such a link, with no dir entry for it.
  mkdir -p $TMP/s2/sub && echo y > $TMP/s2/sub/file2
  tar -C $TMP/s2 --no-recursion -cf $TMP/s2.tar sub/file2
  "$DUCKER" cp - $n:/data2 < $TMP/s2.tar
  d cp $n:/data2/sub/file2 $TMP/back2
  is "$(cat $TMP/back2)" "y"
  is "$(ls -A /tmp/ducker-bats-target-$$)" "" "nothing written outside the container"
}

@test "cp into a mounted volume writes into the volume" {
  n=$(safename)
  mkdir $TMP/vol
  d run -d --name $n -v $TMP/vol:/mnt/v alpine sleep 60
  echo to-vol > $TMP/p
  d cp $TMP/p $n:/mnt/v/
  is "$(cat $TMP/vol/p)" "to-vol"
  d stop -t 0 $n
  echo again > $TMP/p2
  d cp $TMP/p2 $n:/mnt/v/p2
  is "$(cat $TMP/vol/p2)" "again"
  d cp $n:/mnt/v/p $TMP/back
  is "$(cat $TMP/back)" "to-vol"
}
