#!/usr/bin/env bash
# Builds the e2e's MinIO provider stand-in (scripts/e2e/minio-standin) into the toolchain's bin
# directory as pulumi-resource-minio, where the Pulumi CLI finds it on PATH. The real MinIO
# provider and server are AGPL and are never built or run; the stand-in checks inputs and echoes
# them back. Rebuilds only when the source changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="${LLMOPS_TOOLS_DIR:-$HOME/.cache/llmops-platform}"
bin="$tools/toolchain/bin"
out="$bin/pulumi-resource-minio"
stamp="$bin/.pulumi-resource-minio.sha256"
src="$here/minio-standin"

sum="$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -d' ' -f1)"
if [[ -x "$out" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    echo "pulumi-resource-minio stand-in is up to date ($out)"
    exit 0
fi
mkdir -p "$bin"
echo "building the pulumi-resource-minio stand-in into $bin"
(cd "$src" && GOFLAGS=-buildvcs=false go build -trimpath -o "$out.tmp" .)
mv "$out.tmp" "$out"
echo "$sum" > "$stamp"
echo "built $out (reports version $("$out" --version))"
