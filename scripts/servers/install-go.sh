#!/usr/bin/env bash
# Go builds: oauth2-proxy at the gate image's version, a mock OIDC issuer standing in for Logto
# (scripts/servers/go/mockoidc) and the trace gateway's OpenTelemetry Collector with exactly the
# components its configuration names (scripts/servers/go/otelcol). Each lands in
# $LLMOPS_TOOLS_DIR/servers/<name>-<version>/ (the wrappers' directory names also carry a hash of
# their sources), so a warm run builds nothing; entry points are symlinked into servers/bin.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
tools="${LLMOPS_TOOLS_DIR:-$HOME/.cache/llmops-platform}/servers"
mkdir -p "$tools/bin"
command -v go >/dev/null || { echo "install-go.sh: go is not installed (https://go.dev/dl/)" >&2; exit 1; }
export GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0

# build NAME VERSION EXE COMMAND...: runs COMMAND with $out set unless $tools/NAME-VERSION/EXE exists.
build() {
  local name="$1" version="$2" exe="$3"; shift 3
  local dir="$tools/$name-$version"
  if [ ! -x "$dir/$exe" ]; then
    echo "building $name $version"
    local started=$SECONDS tmp="$dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    out="$tmp" "$@"
    rm -rf "$dir" && mv "$tmp" "$dir"
    echo "built $name $version in $((SECONDS - started)) s"
  fi
  ln -sfn "$dir/$exe" "$tools/bin/$exe"
}

src_hash() { (cd "$1" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12); }
go_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

build oauth2-proxy "$OAUTH2_PROXY_VERSION" oauth2-proxy \
  bash -c 'GOBIN="$out" go install -trimpath -ldflags "-X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=v$0" "github.com/oauth2-proxy/oauth2-proxy/v7@v$0"' "$OAUTH2_PROXY_VERSION"

oidc="$here/go/mockoidc"
build mockoidc "$(go_version "$oidc" github.com/oauth2-proxy/mockoidc)-$(src_hash "$oidc")" mockoidc \
  bash -c 'cd "$0" && go build -trimpath -o "$out/mockoidc" .' "$oidc"

col="$here/go/otelcol"
pinned="$(go_version "$col" go.opentelemetry.io/collector/otelcol)"
[ "$pinned" = "v$OTELCOL_VERSION" ] || { echo "install-go.sh: go/otelcol pins otelcol $pinned, versions.env says $OTELCOL_VERSION" >&2; exit 1; }
build otelcol "$OTELCOL_VERSION-$(src_hash "$col")" otelcol-llmops \
  bash -c 'cd "$0" && go build -trimpath -ldflags "-X main.version=$1" -o "$out/otelcol-llmops" .' "$col" "$OTELCOL_VERSION"
