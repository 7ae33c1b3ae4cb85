#!/usr/bin/env bash
# A Python virtual environment with MLflow (and what its -full image ships for Postgres, S3 and
# Prometheus metrics), moto's S3 server (a loopback stand-in for object storage; not MinIO) and
# chDB (ClickHouse's engine in-process). Kept under $LLMOPS_TOOLS_DIR/servers/venv-<key>, the key
# derived from the pinned versions and the interpreter, so a warm run only checks the venv is there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
tools="${LLMOPS_TOOLS_DIR:-$HOME/.cache/llmops-platform}"
bin="$tools/servers/bin"
mkdir -p "$bin"

python="${PYTHON:-$(command -v python3)}"
# The real interpreter (not a pyenv shim), so the key changes when the interpreter does.
python="$("$python" -c 'import sys; print(sys.executable)')"
pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
requirements=(
  "mlflow==$MLFLOW_VERSION"
  "sqlalchemy==$SQLALCHEMY_VERSION"
  "prometheus-flask-exporter==$PROMETHEUS_FLASK_EXPORTER_VERSION"
  "psycopg2-binary==$PSYCOPG2_BINARY_VERSION"
  "boto3==$BOTO3_VERSION"
  "moto[server]==$MOTO_VERSION"
  "chdb==$CHDB_VERSION"
  "chdb-core==$CHDB_CORE_VERSION"
)
key="$(printf '%s\n' "$python" "$pyver" "${requirements[@]}" | sha256sum | cut -c1-12)"
venv="$tools/servers/venv-$key"

if [ ! -f "$venv/.complete" ]; then
  echo "creating $venv (Python $pyver)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
  "$venv/bin/python" - <<'PY'
import importlib.metadata as m
for d in ("mlflow", "sqlalchemy", "prometheus-flask-exporter", "psycopg2-binary", "boto3", "moto", "chdb", "chdb-core"):
    print(f"  {d} {m.version(d)}")
PY
  printf '%s\n' "${requirements[@]}" >"$venv/.complete"
else
  echo "up to date: $venv"
fi

ln -sfn "$venv/bin/mlflow" "$bin/mlflow"
# A wrapper, not a symlink: Python finds its venv next to the path it was started by.
rm -f "$bin/servers-python"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$venv/bin/python" >"$bin/servers-python"
chmod +x "$bin/servers-python"
ln -sfn "$venv/bin/moto_server" "$bin/moto_server"
