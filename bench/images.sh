#!/bin/sh
# commit and save of a container whose upper dir holds 100 MB, side by side
# with `tar -czf` of the same directory (the issue's target: each <= 1.5x).
# Usage (root): bench/images.sh   -- uses a private DUCKER_ROOT under /tmp.
set -eu
cd "$(dirname "$0")/.."
export DUCKER_ROOT=${DUCKER_ROOT:-/tmp/ducker-bench-images}
D=./ducker
name=bench-img-$$
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# 50 MB of random bytes + 50 MB of text, in 100 files: what an app layer looks like.
$D run --name $name alpine sh -c '
  mkdir -p /data && cd /data &&
  for i in $(seq 1 50); do head -c 1048576 /dev/urandom > r$i; done &&
  for i in $(seq 1 50); do yes "ducker bench line $i of compressible text" | head -c 1048576 > t$i; done' >/dev/null
id=$($D inspect --format '{{.Id}}' $name)
upper=$DUCKER_ROOT/containers/$id/upper
out=$(mktemp -d)

t0=$(now); tar -czf $out/ref.tar.gz -C "$upper" .; t1=$(now)
tar_ms=$(ms $t0 $t1)
t0=$(now); $D commit $name $name:v1 >/dev/null; t1=$(now)
commit_ms=$(ms $t0 $t1)
t0=$(now); $D save -o $out/img.tar.gz $name:v1; t1=$(now)
save_ms=$(ms $t0 $t1)

echo "tar -czf upper:  ${tar_ms} ms ($(du -m $out/ref.tar.gz | cut -f1) MB)"
echo "ducker commit:   ${commit_ms} ms  ratio $(echo "scale=2; $commit_ms / $tar_ms" | bc)"
echo "ducker save:     ${save_ms} ms ($(du -m $out/img.tar.gz | cut -f1) MB, incl. alpine)  ratio $(echo "scale=2; $save_ms / $tar_ms" | bc)"
$D rm $name >/dev/null
$D rmi $name:v1 >/dev/null
rm -rf $out
