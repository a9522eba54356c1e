# For 080/090: a private data root, default bridge and subnet, so that the
# "nothing changed" checks are not disturbed by other suites running at the
# same time on the shared root (and their teardown cannot remove ours).
export DUCKER_ROOT=${DUCKER_ISO_ROOT:-/tmp/dk-iso-root}
export DUCKER_DEFAULT_BRIDGE=dki0
export DUCKER_DEFAULT_SUBNET=10.251.0.0/16
load helpers

# What on the host can be ours: our root's paths, our default bridge and
# subnet, our containers (10-hex ID prefixes: veth vdXXXXXXXXXX0, netns
# dk-<12>, cgroups, rule comments) and our networks' bridges. Other suites
# run at the same time on this machine; their resources are not compared.
own_tokens() {
  printf '%s\n' "$DUCKER_ROOT/" "$DUCKER_DEFAULT_BRIDGE" "${DUCKER_DEFAULT_SUBNET%.*}" "$@"
  ls "$DUCKER_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | cut -c1-10
  cat "$DUCKER_ROOT"/nets/*/config.json 2>/dev/null | sed -n 's/.*"bridge": *"\([^"]*\)".*/\1/p'
}

# Host lines present in AFTER but not in BEFORE that are ours.
# (A container created and fully rolled back within one case leaves no ID
# behind to attribute by; its leftovers then show in the leak check of the
# serial CI run, where nothing else runs.)
new_host_lines() {
  comm -13 <(sort <<<"$1") <(sort <<<"$2") | grep -F -f <(own_tokens "${@:3}") || true
}

setup() { common_setup; OWN_IDS=$(ls "$DUCKER_ROOT/containers" 2>/dev/null | cut -c1-10); }
teardown() {
  OWN_IDS+=" $(ls "$DUCKER_ROOT/containers" 2>/dev/null | cut -c1-10)"
  cleanup_new_objects
  local added
  added=$(new_host_lines "$HOST_BEFORE" "$(host_snapshot)" $OWN_IDS)
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
