#!/usr/bin/env bash
# Installs the real servers the tier-2 tests run on loopback, into a cache outside the checkout
# keyed by the versions in scripts/servers/versions.env: Debian packages (PostgreSQL, Redis,
# nginx, promtool), a Python virtual environment (MLflow, its Postgres and S3 clients, an S3
# server that is not MinIO, chDB) and Go builds (oauth2-proxy with a mock OIDC issuer, the
# OpenTelemetry Collector with exactly the trace gateway's components).
# Everything ends up under $LLMOPS_TOOLS_DIR/servers/bin (default ~/.cache/llmops-platform).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export LLMOPS_TOOLS_DIR="${LLMOPS_TOOLS_DIR:-$HOME/.cache/llmops-platform}"
mkdir -p "$LLMOPS_TOOLS_DIR/servers/bin"
# shellcheck source=versions.env
source "$here/versions.env"

# Debian's packages first (the other parts use none of them); then the Go builds, which keep both
# cores busy, beside the Python install, which mostly waits on downloads.
echo "== install-debian.sh"
bash "$here/install-debian.sh"
logs="$LLMOPS_TOOLS_DIR/servers/logs"
mkdir -p "$logs"
pids=()
for part in install-go.sh install-python.sh; do
  echo "== $part (log: $logs/${part%.sh}.log)"
  bash "$here/$part" >"$logs/${part%.sh}.log" 2>&1 &
  pids+=("$!:$part")
done
failed=0
for entry in "${pids[@]}"; do
  if ! wait "${entry%%:*}"; then
    echo "${entry#*:} failed; last lines of its log:" >&2
    tail -n 20 "$logs/$(basename "${entry#*:}" .sh).log" >&2
    failed=1
  fi
done
cat "$logs/install-go.log" "$logs/install-python.log"
exit "$failed"
