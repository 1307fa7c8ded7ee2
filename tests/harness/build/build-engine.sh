#!/usr/bin/env bash
# Builds the real Pulumi engine parts the engine test tier runs: the pulumi CLI, the Kubernetes resource
# provider (pulumi-resource-kubernetes), kwok (fake nodes that run pods on a real control plane) and
# kube-scheduler (from the same k8s.io/kubernetes wrapper module build-test-binaries.sh uses), all from
# the Go module proxy through the wrapper modules in tests/harness/go/.
#
#   bash tests/harness/build/build-engine.sh        # prints name=path, one line per binary
#
# - Binaries land in ${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/<tool>/<version>/ and are built only when
#   missing (into a temp dir, then moved), so a warm machine pays a few stat calls.
#   pulumi goes to sas-onboarding/pulumi/<version>/bin/pulumi: that directory is the `root` the Automation API's
#   PulumiCommand.get({ root, skipVersionCheck: true }) takes (it runs <root>/bin/pulumi).
#   kube-scheduler goes next to kube-apiserver in sas-onboarding/kube/<k8s-version>/.
# - Versions are the ones the wrapper modules require; reading them keeps one source of truth.
# - Go's own caches (GOCACHE, GOMODCACHE) stay where Go puts them, so a warm machine reuses them.
# - Cold builds on 2 cores: pulumi ~8 min, pulumi-resource-kubernetes ~10 min, kwok and kube-scheduler a few.
# - ENGINE_BUILD_ONLY="pulumi kwok" (names as printed) limits what is built/printed.
# Everything the build says goes to stderr (full go output in a log file per tool); stdout carries only
# the name=path lines.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
GO_DIR="$ROOT/tests/harness/go"
PULUMI_MOD="$GO_DIR/pulumi"
K8S_PROVIDER_MOD="$GO_DIR/pulumi-kubernetes"
KWOK_MOD="$GO_DIR/kwok"
KUBE_MOD="$GO_DIR/kube"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding"
LOG_DIR="$CACHE_ROOT/build-logs"

log() { echo "build-engine: $*" >&2; }
die() { echo "build-engine: error: $1" >&2; exit "${2:-1}"; }

# The temp dir of the build in progress, removed if the script stops before moving the binary out of it.
BUILD_TMP=""
trap '[[ -n "$BUILD_TMP" ]] && rm -rf "$BUILD_TMP"' EXIT

# The version a wrapper's go.mod requires for a module (single-line or block require).
required_version() {
  local gomod="$1" module="$2" v
  v="$(awk -v m="$module" '($1=="require" && $2==m) {print $3; exit} ($1==m && $2 ~ /^v/) {print $2; exit}' "$gomod")"
  [[ -n "$v" ]] || die "cannot read the version of $module from $gomod" 2
  echo "$v"
}

PULUMI_VERSION="$(required_version "$PULUMI_MOD/go.mod" github.com/pulumi/pulumi/pkg/v3)"
PULUMI_SDK_VERSION="$(required_version "$PULUMI_MOD/go.mod" github.com/pulumi/pulumi/sdk/v3)"
[[ "$PULUMI_VERSION" == "$PULUMI_SDK_VERSION" ]] ||
  die "$PULUMI_MOD/go.mod: pkg/v3 $PULUMI_VERSION and sdk/v3 $PULUMI_SDK_VERSION must be the same release" 2
K8S_PROVIDER_MODULE_VERSION="$(required_version "$K8S_PROVIDER_MOD/go.mod" github.com/pulumi/pulumi-kubernetes/provider/v4)"
# The provider module is a pseudo-version; the version the binary reports is the release it precedes,
# written next to the pin in go.mod as "// provider-version: X.Y.Z".
K8S_PROVIDER_VERSION="$(awk '$1=="//" && $2=="provider-version:" {print $3; exit}' "$K8S_PROVIDER_MOD/go.mod")"
[[ -n "$K8S_PROVIDER_VERSION" ]] || die "$K8S_PROVIDER_MOD/go.mod: no \"// provider-version: X.Y.Z\" line" 2
KWOK_VERSION="$(required_version "$KWOK_MOD/go.mod" sigs.k8s.io/kwok)"
K8S_VERSION="$(required_version "$KUBE_MOD/go.mod" k8s.io/kubernetes)"

PULUMI_DIR="$CACHE_ROOT/pulumi/$PULUMI_VERSION"
# Keyed by the module version (a new pin means a new binary) and the reported version.
K8S_PROVIDER_DIR="$CACHE_ROOT/pulumi-kubernetes/$K8S_PROVIDER_VERSION-$K8S_PROVIDER_MODULE_VERSION"
KWOK_DIR="$CACHE_ROOT/kwok/$KWOK_VERSION"
KUBE_DIR="$CACHE_ROOT/kube/$K8S_VERSION"

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$PULUMI_MOD/go.mod") (https://go.dev/dl) to build the engine binaries" 3
}

# run_build NAME DIR CMD...: runs CMD with its output in a log file; on failure says where the log is.
run_build() {
  local name="$1" logf="$LOG_DIR/$1.log"
  shift
  mkdir -p "$LOG_DIR"
  local rc=0
  "$@" >"$logf" 2>&1 || rc=$?
  if ((rc != 0)); then
    die "building $name failed (exit $rc); full log: $logf; last lines: $(tail -n 3 "$logf" | tr '\n' ' ')" 4
  fi
}

# Same variables hack/lib/version.sh sets, as in build-test-binaries.sh.
kube_ldflags() {
  local v="$1" major minor date flags="-s -w" pkg
  major="$(echo "$v" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$v" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

build_pulumi() {
  local tmp t0=$SECONDS
  log "building pulumi $PULUMI_VERSION into $PULUMI_DIR (cold: ~8 min on 2 cores; log $LOG_DIR/pulumi.log)"
  mkdir -p "$PULUMI_DIR"
  tmp="$(mktemp -d "$PULUMI_DIR/.build.XXXXXX")"
  BUILD_TMP="$tmp"
  run_build pulumi env -C "$PULUMI_MOD" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  mkdir -p "$PULUMI_DIR/bin"
  mv -f "$tmp/pulumi" "$PULUMI_DIR/bin/pulumi"
  rm -rf "$tmp"
  BUILD_TMP=""
  log "built pulumi in $((SECONDS - t0))s"
}

build_k8s_provider() {
  local tmp t0=$SECONDS moddir
  log "building pulumi-resource-kubernetes $K8S_PROVIDER_VERSION ($K8S_PROVIDER_MODULE_VERSION) into $K8S_PROVIDER_DIR" \
    "(cold: ~10 min on 2 cores; log $LOG_DIR/pulumi-resource-kubernetes.log)"
  mkdir -p "$K8S_PROVIDER_DIR"
  tmp="$(mktemp -d "$K8S_PROVIDER_DIR/.build.XXXXXX")"
  BUILD_TMP="$tmp"
  # Build in a copy of the wrapper: the two embedded JSON files are generated there, never in the repo.
  mkdir -p "$tmp/src"
  cp -R "$K8S_PROVIDER_MOD/." "$tmp/src/"
  # The module's schema.json and terraform-mapping.json are the inputs of upstream's `go generate`.
  run_build pulumi-resource-kubernetes-download env -C "$tmp/src" \
    go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4
  moddir="$(awk -F'"' '$2=="Dir" {print $4}' "$LOG_DIR/pulumi-resource-kubernetes-download.log")"
  [[ -f "$moddir/cmd/pulumi-resource-kubernetes/schema.json" ]] ||
    die "no cmd/pulumi-resource-kubernetes/schema.json in the provider module (dir: '${moddir}'); log: $LOG_DIR/pulumi-resource-kubernetes-download.log" 4
  run_build pulumi-resource-kubernetes-genembed env -C "$tmp/src" CGO_ENABLED=0 go run ./genembed \
    "$moddir/cmd/pulumi-resource-kubernetes" "$K8S_PROVIDER_VERSION" "$tmp/src"
  run_build pulumi-resource-kubernetes env -C "$tmp/src" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" \
    -o "$tmp/pulumi-resource-kubernetes" .
  mv -f "$tmp/pulumi-resource-kubernetes" "$K8S_PROVIDER_DIR/pulumi-resource-kubernetes"
  rm -rf "$tmp"
  BUILD_TMP=""
  log "built pulumi-resource-kubernetes in $((SECONDS - t0))s"
}

build_kwok() {
  local tmp t0=$SECONDS
  log "building kwok $KWOK_VERSION into $KWOK_DIR (log $LOG_DIR/kwok.log)"
  mkdir -p "$KWOK_DIR"
  tmp="$(mktemp -d "$KWOK_DIR/.build.XXXXXX")"
  BUILD_TMP="$tmp"
  run_build kwok env -C "$KWOK_MOD" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION#v}" \
    -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok
  mv -f "$tmp/kwok" "$KWOK_DIR/kwok"
  rm -rf "$tmp"
  BUILD_TMP=""
  log "built kwok in $((SECONDS - t0))s"
}

build_kube_scheduler() {
  local tmp t0=$SECONDS
  log "building kube-scheduler $K8S_VERSION into $KUBE_DIR (log $LOG_DIR/kube-scheduler.log)"
  mkdir -p "$KUBE_DIR"
  tmp="$(mktemp -d "$KUBE_DIR/.build.XXXXXX")"
  BUILD_TMP="$tmp"
  run_build kube-scheduler env -C "$KUBE_MOD" CGO_ENABLED=0 go build -trimpath \
    -ldflags "$(kube_ldflags "$K8S_VERSION")" -o "$tmp/kube-scheduler" k8s.io/kubernetes/cmd/kube-scheduler
  mv -f "$tmp/kube-scheduler" "$KUBE_DIR/kube-scheduler"
  rm -rf "$tmp"
  BUILD_TMP=""
  log "built kube-scheduler in $((SECONDS - t0))s"
}

wanted() { [[ -z "${ENGINE_BUILD_ONLY:-}" || " $ENGINE_BUILD_ONLY " == *" $1 "* ]]; }

# name, path, builder
TARGETS=(
  "pulumi|$PULUMI_DIR/bin/pulumi|build_pulumi"
  "pulumi-resource-kubernetes|$K8S_PROVIDER_DIR/pulumi-resource-kubernetes|build_k8s_provider"
  "kwok|$KWOK_DIR/kwok|build_kwok"
  "kube-scheduler|$KUBE_DIR/kube-scheduler|build_kube_scheduler"
)

for t in "${TARGETS[@]}"; do
  IFS='|' read -r name path builder <<<"$t"
  wanted "$name" || continue
  if [[ ! -x "$path" ]]; then
    need_go
    "$builder"
  fi
done

for t in "${TARGETS[@]}"; do
  IFS='|' read -r name path builder <<<"$t"
  wanted "$name" || continue
  echo "$name=$path"
done
