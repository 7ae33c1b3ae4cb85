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

for part in "$here"/install-*.sh; do
  [ -e "$part" ] || continue
  echo "== $(basename "$part")"
  bash "$part"
done
