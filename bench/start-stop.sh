#!/bin/sh
# Case 5: start N detached containers one after another, then stop them all
# with one command. The command traps TERM, so both runtimes stop gracefully
# (a bare `sleep` as podman's PID 1 would ignore TERM and wait out -t).
# Usage: start-stop.sh N IMAGE 'RUN ARGV' 'STOP ARGV'  (split on spaces)
set -eu
n=$1 img=$2 run=$3 stop=$4
ids=
i=0
while [ $i -lt "$n" ]; do
  # shellcheck disable=SC2086
  ids="$ids $($run -d --rm --network none "$img" sh -c 'trap "exit 0" TERM; sleep 600 & wait')"
  i=$((i + 1))
done
# shellcheck disable=SC2086
$stop $ids >/dev/null
