#!/usr/bin/env bats
# --help audit: ducker --help and every command's and subcommand's help list
# each argument and flag with a one-line description, and give an example.

load helpers

# Commands listed in a help text's Commands: section (names only).
subcommands() { sed -n '/^Commands:/,/^$/p' <<<"$1" | awk 'NR>1 && NF {print $1}' | grep -v '^help$'; }

# check_help ARGS...: `ducker ARGS --help` is complete.
check_help() {
  ds "$@" --help
  local h=$output
  like "$h" $'\nExamples?:\n  ducker ' "ducker $* --help has an example"
  # Every <arg> / [arg...] of the usage line is described under Arguments:.
  local usage args a
  usage=$(sed -n 's/^Usage: ducker //p' <<<"$h" | sed 's/\[options\]//; s/\[command\]//')
  args=$(grep -o '[<[][a-z]*\(\.\.\.\)\?[]>]' <<<"$usage" | tr -d '<>[].' || true)
  for a in $args; do
    grep -qE "^  $a +[^ ]" <<<"$(sed -n '/^Arguments:/,/^$/p' <<<"$h")" || { echo "# ducker $* --help: argument $a has no description" >&2; return 1; }
  done
  # Every option line has a description after the flags.
  local bad
  bad=$(sed -n '/^Options:/,/^$/p' <<<"$h" | awk 'NR>1 && /^  -/' | grep -vE '^  -.*[^ ]  +[A-Za-z(]' || true)
  [[ -z $bad ]] || { echo "# ducker $* --help: options without a description:" >&2; echo "$bad" >&2; return 1; }
}

@test "help: ducker --help and every command's help describe each flag and argument, with an example" {
  check_help
  local top c s
  top=$output
  ds --help
  for c in $(subcommands "$output"); do
    check_help "$c"
    for s in $(subcommands "$output"); do check_help "$c" "$s"; done
  done
  like "$top" 'network' ; like "$top" 'volume'
}
