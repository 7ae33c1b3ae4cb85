#!/usr/bin/env bash
# Times the vitest suite of two commits back to back, each on a fresh clone of this repository
# with `npm ci`, and prints the wall time of each and their ratio (second / first).
# Usage: bash scripts/bench-suite.sh <before-rev> <after-rev>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bash scripts/bench-suite.sh <before-rev> <after-rev>" >&2; exit 2; }
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -a secs
for rev in "$1" "$2"; do
  d="$work/$rev"
  git clone -q "$repo" "$d" && git -C "$d" checkout -q "$rev"
  (cd "$d" && npm ci --silent >/dev/null 2>&1)
  start=$(date +%s.%N)
  (cd "$d" && CI=true npx vitest run >"$d.log" 2>&1) || echo "$rev: vitest failed (log: $d.log)"
  end=$(date +%s.%N)
  s=$(echo "$end - $start" | bc)
  secs+=("$s")
  echo "$rev: ${s} s; $(sed 's/\x1b\[[0-9;]*m//g' "$d.log" | grep -E '^ +Tests ' | tr -s ' ')"
done
echo "ratio $2 / $1: $(echo "scale=3; ${secs[1]} / ${secs[0]}" | bc)"
