#!/usr/bin/env bash
# Builds promtool (github.com/prometheus/prometheus/cmd/promtool) from the wrapper module tests/harness/go/prometheus
# into a per-version cache dir, only when that binary is missing, and prints the binary's path (the only thing on
# stdout; build chatter goes to stderr). Used by tests/monitoring/*.test.ts to `promtool check rules` and
# `promtool test rules` the PrometheusRule groups that components/model/monitoring renders.
#
#   bash tests/harness/build/build-promtool.sh        # -> ~/.cache/sas-onboarding/promtool/v0.316.0/promtool
#
# The version is the one tests/harness/go/prometheus/go.mod requires (one source of truth, go.sum pins every
# dependency); bump it there with `go get github.com/prometheus/prometheus@v0.3xx.y && go mod tidy`.
# Prometheus' Go module tags are v0.<major*100+minor>.<patch>: v0.316.0 is Prometheus 3.16.0.
#
# Built with the upstream build tag remove_all_sd: no service-discovery plugins (AWS, Azure, GCE, Kubernetes, ...),
# which promtool needs only for `check config` of scrape configs; rule checking and rule unit tests do not use them,
# and leaving them out roughly halves the cold build.
#
#   bash tests/harness/build/build-promtool.sh crdcheck
# instead builds tests/harness/go/prometheus/crdcheck (our decoder of Prometheus Operator objects into the operator's
# Go API types), cached per operator version and per content of its sources.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD_DIR="$ROOT/tests/harness/go/prometheus"
MODULE="github.com/prometheus/prometheus"

# The version go.mod requires of a module, in a one-line `require m v` or inside a `require ( ... )` block.
required_version() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m) { print $2; exit }' "$2"; }

log() { echo "build-promtool: $*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "'go' is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD_DIR/go.mod") (https://go.dev/dl) or put /usr/local/go/bin on PATH"
    exit 3
  fi
}

if [ "${1:-promtool}" = crdcheck ]; then
  src="$MOD_DIR/crdcheck"
  op="$(required_version github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring "$src/go.mod")"
  [ -n "$op" ] || { log "cannot read the prometheus-operator version from $src/go.mod"; exit 2; }
  sum="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/crdcheck/$op-$sum"
  bin="$dir/crdcheck"
  if [ ! -x "$bin" ]; then
    need_go
    log "building crdcheck (prometheus-operator API types $op) into $dir"
    mkdir -p "$dir"
    staging="$(mktemp -d "$dir/.build-XXXXXX")"
    trap 'rm -rf "$staging"' EXIT
    t0=$SECONDS
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags "-s -w" -o "$staging/crdcheck" .) >&2
    mv -f "$staging/crdcheck" "$bin"
    log "built crdcheck in $((SECONDS - t0))s"
  fi
  echo "$bin"
  exit 0
elif [ -n "${1:-}" ] && [ "$1" != promtool ]; then
  log "unknown argument '$1': expected nothing, promtool or crdcheck"
  exit 2
fi

version="$(required_version "$MODULE" "$MOD_DIR/go.mod")"
case "$version" in
  v0.[0-9]*.[0-9]*) ;;
  *) log "cannot read the $MODULE version from tests/harness/go/prometheus/go.mod (got '$version')"; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/promtool/$version"
bin="$dir/promtool"
if [ ! -x "$bin" ]; then
  need_go
  # v0.316.0 -> 3.16.0, what `promtool --version` prints for an upstream release.
  minor="${version#v0.}"; minor="${minor%%.*}"; patch="${version##*.}"
  human="$((minor / 100)).$((minor % 100)).$patch"
  log "building $MODULE/cmd/promtool@$version (Prometheus $human) into $dir (cold: several minutes on 2 cores)"
  mkdir -p "$dir"
  # Build into a private dir and rename: a concurrent run never sees a half-written binary.
  staging="$(mktemp -d "$dir/.build-XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  t0=$SECONDS
  (cd "$MOD_DIR" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -tags remove_all_sd \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$human -X github.com/prometheus/common/version.Revision=module-$version -X github.com/prometheus/common/version.Branch=module" \
    -o "$staging/promtool" "$MODULE/cmd/promtool") >&2
  mv -f "$staging/promtool" "$bin"
  log "built promtool $human in $((SECONDS - t0))s"
fi
echo "$bin"
