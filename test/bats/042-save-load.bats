#!/usr/bin/env bats
# save and load: ducker's archives, podman's (docker-archive and oci-archive),
# interop with podman load, and refusal of malicious archives.
load helpers

setup() {
  common_setup
  PODMAN_IMAGES=()
  CTX=$BATS_TEST_TMPDIR/ctx; mkdir -p $CTX
}
teardown() {
  cleanup_new_objects
  teardown_images
  local i
  for i in "${PODMAN_IMAGES[@]}"; do podman rmi -f "$i" >/dev/null 2>&1 || true; done
  common_teardown
}
layers_of() { "$DUCKER" inspect --format '{{json .RootFS.Layers}}' "$1"; }

build_two() { # two images sharing alpine's layer; the first deletes a file
  printf 'FROM alpine\nRUN rm /etc/motd && echo one > /one\nCMD ["cat", "/one"]\n' | d build -t $1:one -f - $CTX
  printf 'FROM alpine\nCOPY f /two\nCMD ["cat", "/two"]\n' > $CTX/Duckerfile; echo two > $CTX/f
  d build -t $1:two $CTX
  mkimg $1:one; mkimg $1:two
}

@test "save/load round trip of several images in one archive (shared layers, whiteouts, twice)" {
  n=$(safename)
  build_two $n
  d save -o $BATS_TEST_TMPDIR/two.tar.gz $n:one $n:two
  file $BATS_TEST_TMPDIR/two.tar.gz | grep -q gzip
  tar -tzf $BATS_TEST_TMPDIR/two.tar.gz > $BATS_TEST_TMPDIR/list
  for f in oci-layout index.json manifest.json repositories; do grep -qx $f $BATS_TEST_TMPDIR/list; done
  base=$(layers_of alpine | tr -d '[]"' | sed 's/sha256://')
  [[ $(grep -c "blobs/sha256/$base" $BATS_TEST_TMPDIR/list) == 1 ]]   # shared layer stored once
  before_one=$(layers_of $n:one)
  d rmi $n:one $n:two
  d load -i $BATS_TEST_TMPDIR/two.tar.gz
  like "$output" "Loaded image: $n:one"
  like "$output" "Loaded image: $n:two"
  is "$(layers_of $n:one)" "$before_one" "same diff IDs after the round trip"
  d run --rm $n:one sh -c 'cat /one; ls /etc/motd 2>&1; true'
  like "$output" $'one\n.*No such file'
  d run --rm $n:two
  is "$output" two
  d load -i $BATS_TEST_TMPDIR/two.tar.gz      # loading twice is fine
  # stdout and stdin, plain tar
  "$DUCKER" save -o - $n:two | gunzip > $BATS_TEST_TMPDIR/two.tar
  d load < $BATS_TEST_TMPDIR/two.tar
  is "$output" "Loaded image: $n:two"
}

@test "save defaults to image.tar.gz; load of a missing image or file fails cleanly" {
  n=$(safename)
  cd $BATS_TEST_TMPDIR
  d save alpine
  [[ -s image.tar.gz ]]
  d --rc=1 save no-such-image-$n
  like "$output" "No such image"
  d --rc=125 load -i $BATS_TEST_TMPDIR/nope.tar
  echo 'not a tar' > junk
  d --rc=125 load -i junk
  like "$output" 'ducker: .*(not|neither)'
}

@test "podman load reads ducker save: the tag and the same layer diff IDs" {
  n=$(safename); mkimg $n:v1; PODMAN_IMAGES+=(localhost/$n:v1)
  printf 'FROM alpine\nRUN echo hi > /hi && rm /etc/motd\n' | d build -t $n:v1 -f - $CTX
  d save -o $BATS_TEST_TMPDIR/x.tar.gz $n:v1
  run podman load -i $BATS_TEST_TMPDIR/x.tar.gz
  [[ $status == 0 ]] || { echo "$output"; return 1; }
  like "$output" "Loaded image: .*$n:v1"
  run podman images --format '{{.Repository}}:{{.Tag}}'
  like "$output" "$n:v1"
  run podman image inspect --format '{{json .RootFS.Layers}}' localhost/$n:v1
  is "$output" "$(layers_of $n:v1)"
}

@test "ducker load reads podman save (docker-archive and oci-archive) and runs it" {
  n=$(safename)
  PODMAN_IMAGES+=(localhost/$n:p1)
  podman import $PROJECT/assets/alpine-minirootfs-3.20.3-x86_64.tar.gz localhost/$n:p1 >/dev/null
  podman save -o $BATS_TEST_TMPDIR/d.tar localhost/$n:p1 2>/dev/null
  podman save --format oci-archive -o $BATS_TEST_TMPDIR/o.tar localhost/$n:p1 2>/dev/null
  mkimg localhost/$n:p1
  for f in d.tar o.tar; do
    d load -i $BATS_TEST_TMPDIR/$f
    is "$output" "Loaded image: localhost/$n:p1" "$f"
    d run --rm localhost/$n:p1 cat /etc/alpine-release
    like "$output" '^3\.20' "$f"
    d rmi localhost/$n:p1
  done
}

# Each crafted archive: refused, nothing written outside the data root, nothing kept inside it.
@test "malicious archives are refused with nothing kept" {
  rm -f /tmp/ducker-evil-*
  before=$(root_snapshot)
  while IFS='|' read -r kind expect; do
    python3 $BATS_TEST_DIRNAME/mkarchive.py $BATS_TEST_TMPDIR/$kind.tar $kind
    d --rc=125 load -i $BATS_TEST_TMPDIR/$kind.tar
    like "$output" "$expect" "$kind"
    ls /tmp/ducker-evil-* 2>/dev/null && { echo "$kind wrote outside the data root"; return 1; }
    is "$(root_snapshot)" "$before" "$kind: nothing kept in the data root"
  done <<'EOF2'
dotdot|refusing entry .*\.\./.*: ".." component
abs|refusing entry "/tmp/ducker-evil-abs": absolute path
symlink|refusing entry "evil/ducker-evil-symlink": it goes through the symlink evil
hardlink|hard link target .* leaves the layer
device|device nodes are not allowed
outer|refusing archive entry "../ducker-evil-outer"
tamper|does not match the config's diff ID
EOF2
  python3 $BATS_TEST_DIRNAME/mkarchive.py $BATS_TEST_TMPDIR/ok.tar ok   # control: the same archive, harmless, loads
  mkimg evil-ok:latest
  d load -i $BATS_TEST_TMPDIR/ok.tar
  is "$output" "Loaded image: evil-ok:latest"
}
