#!/usr/bin/env bash
# Debian's packages: PostgreSQL, Redis, nginx and promtool (package prometheus). Their own
# services are not used: tests start each server on loopback themselves.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
packages=(redis-server redis-tools postgresql postgresql-client nginx prometheus)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for svc in redis-server nginx prometheus postgresql; do $SUDO service "$svc" stop >/dev/null 2>&1 || true; done
bin="$LLMOPS_TOOLS_DIR/servers/bin"
ln -sf "$(command -v promtool)" "$bin/promtool"
ln -sf /usr/sbin/nginx "$bin/nginx"
