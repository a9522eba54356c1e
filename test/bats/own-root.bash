# For 080/090: a private data root, default bridge and subnet, so that the
# "nothing changed" checks are not disturbed by other suites running at the
# same time on the shared root (and their teardown cannot remove ours).
export DUCKER_ROOT=${DUCKER_ISO_ROOT:-/tmp/dk-iso-root}
export DUCKER_DEFAULT_BRIDGE=dki0
export DUCKER_DEFAULT_SUBNET=10.251.0.0/16
load helpers

# Names of containers (10-hex prefixes) and bridges that belong to other data roots.
foreign_tokens() {
  local r
  for r in /var/lib/ducker $(find /tmp -maxdepth 4 -type d -name containers 2>/dev/null | sed 's,/containers$,,'); do
    [[ $r != "$DUCKER_ROOT" && -d $r/containers ]] || continue
    ls "$r/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | cut -c1-10
    cat "$r"/nets/*/config.json 2>/dev/null | sed -n 's/.*"bridge": *"\([^"]*\)".*/\1/p'
  done | sort -u
  echo '@@nothing@@'
}

# Host lines present in AFTER but not in BEFORE that are not someone else's.
new_host_lines() {
  comm -13 <(sort <<<"$1") <(sort <<<"$2") | grep -vF -f <(foreign_tokens) || true
}

setup() { common_setup; }
teardown() {
  cleanup_new_objects
  local added
  added=$(new_host_lines "$HOST_BEFORE" "$(host_snapshot)")
  if [[ -n $added ]]; then
    echo "# host state leaked:" >&2
    sed 's/^/#   /' <<<"$added" >&2
    return 1
  fi
}

# bad RC ARGS...: ducker fails with exit code RC and exactly one `ducker: ...`
# line on stderr, and neither the data root nor the host changed.
bad() {
  local rc=$1; shift
  local root_before host_before root_after
  root_before=$(root_snapshot)
  host_before=$(host_snapshot)
  ds --rc="$rc" "$@"
  local n
  n=$(printf '%s' "$stderr" | grep -c '')
  if [[ $n -ne 1 || ! $stderr =~ ^ducker:\  ]]; then
    printf '# ducker %s: expected one "ducker:" line on stderr, got:\n' "$*" >&2
    sed 's/^/#  | /' <<<"$stderr" >&2
    return 1
  fi
  root_after=$(root_snapshot)
  if [[ $root_after != "$root_before" ]]; then
    echo "# ducker $*: the data root changed:" >&2
    diff <(echo "$root_before") <(echo "$root_after") | sed 's/^/#   /' >&2
    return 1
  fi
  local added
  added=$(new_host_lines "$host_before" "$(host_snapshot)")
  if [[ -n $added ]]; then
    echo "# ducker $*: the host changed:" >&2
    sed 's/^/#   /' <<<"$added" >&2
    return 1
  fi
}
