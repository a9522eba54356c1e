#!/bin/sh
# The floor for `run --rm --network none IMAGE true`: what a plain shell needs
# to do the same kernel work: overlay mount, new namespaces, pivot_root, exec.
# Usage: floor.sh LOWERDIR SCRATCH
set -eu
lower=$1 t=$2
mkdir -p "$t/u" "$t/w" "$t/m"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$t/u,workdir=$t/w" "$t/m"
unshare --mount --uts --ipc --net --pid --fork sh -c \
  'mount --make-rprivate / && cd "$1" && mkdir -p .old && pivot_root . .old && exec /bin/true' sh "$t/m"
umount "$t/m"
rm -rf "$t/u" "$t/w" "$t/m"
