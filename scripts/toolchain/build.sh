#!/usr/bin/env bash
# Builds the engine toolchain the tier-3 e2e needs (`pulumi up` of the real program against a
# real API server) from Go modules with the ordinary `go` client, into a cache outside the
# checkout keyed by the versions in scripts/toolchain/versions.env:
#   $LLMOPS_TOOLS_DIR/toolchain/<name>-<version>/bin/   one folder per component
#   $LLMOPS_TOOLS_DIR/toolchain/bin/                    a link to every final binary
#   $LLMOPS_TOOLS_DIR/toolchain/bin/VERSIONS            what was built, from which module version
# LLMOPS_TOOLS_DIR defaults to ~/.cache/llmops-platform. Components are built in order of value
# and each is linked into bin/ as soon as it is done. A component whose folder is already built
# from the same sources is skipped, so a warm run takes seconds.
#
#   build.sh            build what is missing; exits non-zero if any component failed
#   build.sh --check    exits 0 only if every component of the manifest is built
#   build.sh NAME...    build (or check) only the named components
#
# Modules whose go.mod has `replace` directives cannot be built with `go install M@V`: each
# family gets a small generated wrapper module (under toolchain/build/, never committed) that
# requires the module at the manifest's version and copies its non-local replaces.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

tools_dir="${LLMOPS_TOOLS_DIR:-$HOME/.cache/llmops-platform}"
root="$tools_dir/toolchain"
bin="$root/bin"
build="$root/build"
logs="$root/logs"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

check_only=false
only=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) only+=("$arg") ;;
  esac
done
if ! $check_only; then
  for tool in go jq flock; do
    command -v "$tool" >/dev/null || { echo "build.sh needs $tool on PATH (the machine image has all three)" >&2; exit 2; }
  done
  mkdir -p "$bin" "$build" "$logs"
fi

gob() { nice -n 2 go "$@"; }

# The go.mod of module $1 at version $2, downloaded through the module proxy.
modfile() {
  gob mod download -json "$1@$2" | jq -er '.GoMod'
}

# The folder of module $1 at version $2 in the module cache (read-only).
moddir() {
  gob mod download -json "$1@$2" | jq -er '.Dir'
}

# Starts a fresh wrapper module in folder $1.
new_wrapper() {
  rm -rf "$1"
  mkdir -p "$1"
  (cd "$1" && go mod init w >/dev/null 2>&1)
}

# Copies every replace of go.mod $1 that points at a published module (not a local folder)
# into the wrapper module in folder $2.
copy_replaces() {
  local old new
  while IFS=$'\t' read -r old new; do
    (cd "$2" && go mod edit -replace="$old=$new")
  done < <(go mod edit -json "$1" | jq -r '.Replace // [] | .[]
      | select(.New.Version != null)
      | [(.Old.Path + (if .Old.Version then "@" + .Old.Version else "" end)),
         (.New.Path + "@" + .New.Version)] | @tsv')
}

# --- components ------------------------------------------------------------------------------
# Each component is: a version (its folder name), a source line (what the stamp records; a
# change rebuilds it), its outputs, and a build function that writes the outputs into $1.

pulumi_module=github.com/pulumi/pulumi/pkg/v3
pulumi_ldflags="-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
# As the release build (.goreleaser.yml): pure-Go os/user, gRPC without x/net/trace.
pulumi_tags=osusergo,grpcnotrace

pulumi_version() { echo "$PULUMI_VERSION"; }
pulumi_source() { echo "$pulumi_module@v$PULUMI_VERSION cmd/pulumi; github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"; }
pulumi_outputs() { echo pulumi; }
pulumi_build() {
  local out="$1" w="$build/pulumi"
  new_wrapper "$w"
  copy_replaces "$(modfile "$pulumi_module" "v$PULUMI_VERSION")" "$w"
  (
    cd "$w"
    gob get "$pulumi_module/cmd/pulumi@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
    gob build -trimpath -tags "$pulumi_tags" -ldflags "$pulumi_ldflags" -o "$out/pulumi" "$pulumi_module/cmd/pulumi"
  )
  "$out/pulumi" version
}

# The Node.js language host. Its release-matching module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, untagged) is refused by the
# module proxy, so the host is built from the last sdk/v3 release that still held it as a
# package (see versions.env) as pulumi-language-nodejs-base, and nodejs-host/main.go, built
# against the CLI's sdk, serves as pulumi-language-nodejs in front of it: it hands every call to
# the base host and runs Node.js policy packs itself (RunPlugin), which the base host cannot.
nodejs_host_package=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
nodejs_host_front="$here/nodejs-host/main.go"
pulumi_language_nodejs_version() { echo "$PULUMI_NODEJS_HOST_SDK_VERSION"; }
pulumi_language_nodejs_source() {
  echo "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_NODEJS_HOST_SDK_VERSION nodejs/cmd/pulumi-language-nodejs;" \
    "front nodejs-host/main.go sha256:$(sha256sum "$nodejs_host_front" | cut -c1-16) with github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
}
pulumi_language_nodejs_outputs() { echo pulumi-language-nodejs pulumi-language-nodejs-base; }
pulumi_language_nodejs_build() {
  local out="$1" w="$build/pulumi-language-nodejs-base" front="$build/pulumi-language-nodejs"
  new_wrapper "$w"
  copy_replaces "$(modfile github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_NODEJS_HOST_SDK_VERSION")" "$w"
  (
    cd "$w"
    gob get "$nodejs_host_package@v$PULUMI_NODEJS_HOST_SDK_VERSION"
    gob build -trimpath -tags "$pulumi_tags" \
      -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_NODEJS_HOST_SDK_VERSION" \
      -o "$out/pulumi-language-nodejs-base" "$nodejs_host_package"
  )
  new_wrapper "$front"
  cp "$nodejs_host_front" "$front/"
  (
    cd "$front"
    gob get "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
    gob mod tidy
    gob build -trimpath -tags "$pulumi_tags" -ldflags "-w -s" -o "$out/pulumi-language-nodejs" .
  )
}

# The dynamic-provider launcher: a script the sdk/v3 module ships in nodejs/dist/ (the release
# archive puts it next to the CLI). It runs @pulumi/pulumi's dynamic provider with node.
pulumi_nodejs_scripts_version() { echo "$PULUMI_VERSION"; }
pulumi_nodejs_scripts_source() { echo "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION nodejs/dist"; }
pulumi_nodejs_scripts_outputs() { echo pulumi-resource-pulumi-nodejs; }
pulumi_nodejs_scripts_build() {
  local dist
  dist="$(moddir github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION")/nodejs/dist"
  install -m 0755 "$dist/pulumi-resource-pulumi-nodejs" "$1/"
}

# etcd for the API server: the 3.6 line that k8s.io/kubernetes requires, at its newest patch.
etcd_module=go.etcd.io/etcd/server/v3
etcd_version() { echo "$ETCD_VERSION"; }
etcd_source() { echo "$etcd_module@v$ETCD_VERSION"; }
etcd_outputs() { echo etcd; }
etcd_build() {
  local out="$1" w="$build/etcd"
  new_wrapper "$w"
  copy_replaces "$(modfile "$etcd_module" "v$ETCD_VERSION")" "$w"
  (
    cd "$w"
    gob get "$etcd_module@v$ETCD_VERSION"
    gob build -trimpath -ldflags "-w -s" -o "$out/etcd" "$etcd_module"
  )
  "$out/etcd" --version
}

# Kubernetes control plane. k8s.io/kubernetes requires its staging modules (k8s.io/api,
# apimachinery, client-go, ...) at v0.0.0 and replaces them with ./staging folders that are not
# in the module zip: the wrapper replaces each with its published v0.<minor>.<patch> instead.
kube_module=k8s.io/kubernetes
kube_wrapper() {
  local w="$build/kubernetes" gomod staging
  new_wrapper "$w"
  gomod="$(modfile "$kube_module" "v$KUBERNETES_VERSION")"
  copy_replaces "$gomod" "$w"
  staging="v0.${KUBERNETES_VERSION#1.}"
  while read -r path; do
    (cd "$w" && go mod edit -replace="$path=$path@$staging")
  done < <(go mod edit -json "$gomod" | jq -r '.Replace // [] | .[]
      | select(.New.Version == null and (.New.Path | startswith("./staging/"))) | .Old.Path')
  echo "$w"
}
# The version the binaries report (clients such as the Kubernetes provider read it), set as the
# release build does (hack/lib/version.sh), with the release tag's commit and time.
kube_ldflags() {
  local minor="${KUBERNETES_VERSION#1.}" key val flags="-w -s" info
  info="$(gob list -m -json "$kube_module@v$KUBERNETES_VERSION")"
  minor="${minor%%.*}"
  for kv in "gitVersion=v$KUBERNETES_VERSION" gitMajor=1 "gitMinor=$minor" gitTreeState=clean \
            "buildDate=$(jq -r .Time <<<"$info")" "gitCommit=$(jq -r .Origin.Hash <<<"$info")"; do
    key="${kv%%=*}"; val="${kv#*=}"
    flags+=" -X k8s.io/client-go/pkg/version.$key=$val -X k8s.io/component-base/version.$key=$val"
  done
  echo "$flags"
}
kube_build() {
  local out="$1" w cmd pkgs=()
  shift
  w="$(kube_wrapper)"
  for cmd in "$@"; do pkgs+=("$kube_module/cmd/$cmd"); done
  (
    cd "$w"
    gob get "${pkgs[@]/%/@v$KUBERNETES_VERSION}"
    gob build -ldflags "$(kube_ldflags)" -o "$out/" "${pkgs[@]}"
  )
  for cmd in "$@"; do
    if [ "$cmd" == kubectl ]; then "$out/$cmd" version --client; else "$out/$cmd" --version; fi
  done
}

kube_apiserver_version() { echo "$KUBERNETES_VERSION"; }
kube_apiserver_source() { echo "$kube_module@v$KUBERNETES_VERSION cmd/kube-apiserver; staging modules @v0.${KUBERNETES_VERSION#1.}"; }
kube_apiserver_outputs() { echo kube-apiserver; }
kube_apiserver_build() { kube_build "$1" kube-apiserver; }

kube_controllers_version() { echo "$KUBERNETES_VERSION"; }
kube_controllers_source() { echo "$kube_module@v$KUBERNETES_VERSION cmd/kube-controller-manager cmd/kube-scheduler cmd/kubectl; staging modules @v0.${KUBERNETES_VERSION#1.}"; }
kube_controllers_outputs() { echo kube-controller-manager kube-scheduler kubectl; }
kube_controllers_build() { kube_build "$1" kube-controller-manager kube-scheduler kubectl; }

# kwok fakes nodes and pod lifecycles against the real API server. Its module has no replaces.
kwok_module=sigs.k8s.io/kwok
kwok_version() { echo "$KWOK_VERSION"; }
kwok_source() { echo "$kwok_module@v$KWOK_VERSION cmd/kwok"; }
kwok_outputs() { echo kwok; }
kwok_build() {
  GOBIN="$1" gob install -trimpath -ldflags "-w -s" "$kwok_module/cmd/kwok@v$KWOK_VERSION"
  "$1/kwok" --version
}

# Provider plugins. Their cmd/ packages `//go:embed` files generated at release time
# (schema-embed.json, ...) that the module zip lacks, so each is built from a writable copy of
# its module folder with those files made from the module's own schema.json, as the provider's
# `go generate` step does: the schema minified with its version set. The version is stamped with
# the same -X flag as the provider's Makefile.

# Copies module $1@$2 into a writable folder $3.
writable_copy() {
  local src
  src="$(moddir "$1" "$2")"
  rm -rf "$3"
  cp -r "$src" "$3"
  chmod -R u+w "$3"
}

k8s_provider_module=github.com/pulumi/pulumi-kubernetes/provider/v4
k8s_sdk_module=github.com/pulumi/pulumi-kubernetes/sdk/v4
pulumi_resource_kubernetes_version() { echo "$K8S_PROVIDER_VERSION"; }
pulumi_resource_kubernetes_source() { echo "$k8s_provider_module@$K8S_PROVIDER_MODULE_VERSION cmd/pulumi-resource-kubernetes; $k8s_sdk_module@v$K8S_PROVIDER_SDK_VERSION"; }
pulumi_resource_kubernetes_outputs() { echo pulumi-resource-kubernetes; }
pulumi_resource_kubernetes_build() {
  local out="$1" w="$build/pulumi-kubernetes" cmd
  new_wrapper "$w"
  writable_copy "$k8s_provider_module" "$K8S_PROVIDER_MODULE_VERSION" "$w/provider"
  cmd="$w/provider/cmd/pulumi-resource-kubernetes"
  jq -c --arg v "$K8S_PROVIDER_VERSION" '.version = $v' "$cmd/schema.json" >"$cmd/schema-embed.json"
  jq -c . "$cmd/terraform-mapping.json" >"$cmd/terraform-mapping-embed.json"
  # The provider replaces its sdk with ../sdk (not in the zip): use the published sdk instead.
  copy_replaces "$w/provider/go.mod" "$w"
  (
    cd "$w"
    go mod edit -replace="$k8s_provider_module=./provider" \
      -replace="$k8s_sdk_module=$k8s_sdk_module@v$K8S_PROVIDER_SDK_VERSION" \
      -require="$k8s_provider_module@$K8S_PROVIDER_MODULE_VERSION"
    gob get "$k8s_provider_module/cmd/pulumi-resource-kubernetes"
    gob build -trimpath \
      -ldflags "-w -s -X $k8s_provider_module/pkg/version.Version=$K8S_PROVIDER_VERSION" \
      -o "$out/pulumi-resource-kubernetes" "$k8s_provider_module/cmd/pulumi-resource-kubernetes"
  )
}

# The program's npm SDKs (package.json) and the component that serves each; none where the
# module proxy refuses the provider module (versions.env says which).
npm_sdks=(@pulumi/pulumi=pulumi @pulumi/kubernetes=pulumi-resource-kubernetes @pulumi/random= @pulumi/postgresql=)

components=(pulumi pulumi-language-nodejs pulumi-nodejs-scripts etcd kube-apiserver kube-controllers kwok pulumi-resource-kubernetes)

# --- driver ----------------------------------------------------------------------------------

# The function prefix of component $1 (kube-apiserver: kube_apiserver_build, ...).
fn() { echo "${1//-/_}"; }

stamp_of() { cat "$1/.source" 2>/dev/null || true; }

is_built() {
  local name="$1" dir="$2" out
  [ "$(stamp_of "$dir")" == "$("$(fn "$name")_source")" ] || return 1
  for out in $("$(fn "$name")_outputs"); do [ -x "$dir/bin/$out" ] || return 1; done
}

link_outputs() {
  local name="$1" dir="$2" out
  for out in $("$(fn "$name")_outputs"); do ln -sfn "$dir/bin/$out" "$bin/$out"; done
}

write_versions() {
  local name dir tmp="$bin/VERSIONS.tmp"
  {
    echo "# component	version	built from	build seconds	outputs"
    for name in "${components[@]}"; do
      dir="$root/$name-$("$(fn "$name")_version")"
      is_built "$name" "$dir" || continue
      printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$("$(fn "$name")_version")" "$(stamp_of "$dir")" \
        "$(cat "$dir/.seconds" 2>/dev/null || echo '?')" "$("$(fn "$name")_outputs")"
    done
    # What the program's npm SDKs pin against what serves them here: the engine takes a plugin
    # found on PATH whatever its version, so a difference shows only in this list.
    echo "# npm package	pinned in package.json	built here"
    local pair npm comp pinned
    for pair in "${npm_sdks[@]}"; do
      npm="${pair%%=*}"; comp="${pair#*=}"
      pinned="$(jq -r --arg p "$npm" '(.dependencies // {})[$p] // (.devDependencies // {})[$p] // "-"' \
        "$here/../../package.json" 2>/dev/null || echo '?')"
      if [ -n "$comp" ] && is_built "$comp" "$root/$comp-$("$(fn "$comp")_version")"; then
        printf '# %s\t%s\t%s %s\n' "$npm" "$pinned" "$comp" "$("$(fn "$comp")_version")"
      else
        printf '# %s\t%s\t%s\n' "$npm" "$pinned" "${comp:+not built yet}${comp:-not built by this script (see versions.env)}"
      fi
    done
  } >"$tmp"
  mv "$tmp" "$bin/VERSIONS"
}

selected=("${components[@]}")
if [ ${#only[@]} -gt 0 ]; then
  for name in "${only[@]}"; do
    [[ " ${components[*]} " == *" $name "* ]] || { echo "unknown component: $name (known: ${components[*]})" >&2; exit 2; }
  done
  selected=("${only[@]}")
fi

failed=()
missing=()
for name in "${selected[@]}"; do
  version="$("$(fn "$name")_version")"
  dir="$root/$name-$version"
  if is_built "$name" "$dir"; then
    $check_only || { link_outputs "$name" "$dir"; echo "== $name $version: built already"; }
    continue
  fi
  if $check_only; then missing+=("$name-$version"); continue; fi
  # Another run may be building the same component: wait for it, then take its result.
  exec {lock}>"$dir.lock"
  flock "$lock"
  if is_built "$name" "$dir"; then
    link_outputs "$name" "$dir"
    echo "== $name $version: built by another run"
    exec {lock}>&-
    continue
  fi
  log="$logs/$name-$version.log"
  echo "== $name $version: building (log: $log)"
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial/bin"
  start=$(date +%s)
  # Not in an `if`: there bash would ignore `set -e` inside the build function.
  set +e
  ("$(fn "$name")_build" "$dir.partial/bin") >"$log" 2>&1
  status=$?
  set -e
  if [ "$status" -eq 0 ]; then
    "$(fn "$name")_source" >"$dir.partial/.source"
    echo $(( $(date +%s) - start )) >"$dir.partial/.seconds"
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
    if is_built "$name" "$dir"; then
      link_outputs "$name" "$dir"
      write_versions
      echo "== $name $version: done in $(cat "$dir/.seconds") s"
      exec {lock}>&-
      continue
    fi
  fi
  exec {lock}>&-
  echo "== $name $version: FAILED after $(( $(date +%s) - start )) s; last lines of $log:" >&2
  tail -n 15 "$log" >&2
  failed+=("$name-$version")
done

if $check_only; then
  if [ ${#only[@]} -eq 0 ]; then
    for plugin in $PREBUILT_PLUGINS; do
      [ -x "$bin/$plugin" ] || missing+=("$plugin (not buildable from the Go module proxy; see versions.env)")
    done
  fi
  if [ ${#missing[@]} -gt 0 ]; then echo "not built: ${missing[*]}"; exit 1; fi
  echo "all built: ${selected[*]}"
  exit 0
fi
write_versions
if [ ${#failed[@]} -gt 0 ]; then echo "failed: ${failed[*]}" >&2; exit 1; fi
echo "all built; versions in $bin/VERSIONS"
