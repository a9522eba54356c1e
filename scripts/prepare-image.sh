#!/bin/sh
# Prepare the built-in alpine base in assets/, in this order:
#   1. ALPINE_MINIROOTFS=path (copied in after its sha256 checks out)
#   2. assets/alpine-minirootfs-3.20.3-x86_64.tar.gz, if it is already there and checks out
#   3. download from Alpine's release site (short timeouts), verified
#   4. otherwise: a BusyBox stand-in from Debian's busybox-static, with a warning
# A file that fails the checksum is never used.
set -eu
cd "$(dirname "$0")/.."
NAME=alpine-minirootfs-3.20.3-x86_64.tar.gz
SHA=d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c
URL=https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/$NAME
DEST=assets/$NAME
mkdir -p assets

ok() { [ -f "$1" ] && echo "$SHA  $1" | sha256sum -c --status; }

if [ -n "${ALPINE_MINIROOTFS:-}" ]; then
  if ok "$ALPINE_MINIROOTFS"; then
    if ! cmp -s "$ALPINE_MINIROOTFS" "$DEST" 2>/dev/null; then cp "$ALPINE_MINIROOTFS" "$DEST.tmp"; mv -f "$DEST.tmp" "$DEST"; fi
    echo "image: using the Alpine minirootfs from $ALPINE_MINIROOTFS"; exit 0
  fi
  echo "image: $ALPINE_MINIROOTFS fails its sha256 check; ignoring it" >&2
fi
if ok "$DEST"; then echo "image: Alpine minirootfs already in assets/"; exit 0; fi
rm -f "$DEST"
if command -v curl >/dev/null 2>&1 &&
   curl -fsSL --connect-timeout 3 --max-time 60 -o "$DEST.tmp" "$URL" 2>/dev/null && ok "$DEST.tmp"; then
  mv "$DEST.tmp" "$DEST"; echo "image: downloaded and verified $NAME"; exit 0
fi
rm -f "$DEST.tmp"

# Offline: the BusyBox stand-in.
[ -f assets/busybox-rootfs.tar.gz ] && { echo "image: using the BusyBox stand-in already in assets/"; exit 0; }
BB=$(command -v busybox || true)
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q static || BB=/bin/busybox
[ -x "$BB" ] || { echo "image: no Alpine minirootfs and no busybox-static: apt-get install busybox-static" >&2; exit 1; }
echo "image: WARNING: Alpine minirootfs unavailable; building a BusyBox stand-in for alpine:latest" >&2
echo "image: supply the real one with: make image ALPINE_MINIROOTFS=/path/to/$NAME" >&2
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/etc" "$R/root" "$R/tmp" "$R/proc" "$R/sys" "$R/dev" "$R/var" "$R/home"
chmod 1777 "$R/tmp"
cp "$BB" "$R/bin/busybox"
for app in $("$R/bin/busybox" --list-full); do
  [ -e "$R/$app" ] || ln -s /bin/busybox "$R/$app"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$R/etc/hosts"
cat > "$R/etc/os-release" <<'OS'
NAME="BusyBox stand-in (not Alpine)"
ID=busybox
PRETTY_NAME="BusyBox stand-in for alpine, built by ducker from Debian's busybox-static"
HOME_URL="https://busybox.net/"
OS
tar -C "$R" --numeric-owner --owner=0 --group=0 -czf assets/busybox-rootfs.tar.gz .
echo "image: built assets/busybox-rootfs.tar.gz"
