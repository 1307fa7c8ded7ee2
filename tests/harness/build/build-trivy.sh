#!/usr/bin/env bash
# Builds Trivy (github.com/aquasecurity/trivy/cmd/trivy) from the wrapper module tests/harness/go/trivy into a
# per-version cache dir, only when that binary is missing, and prints the binary's path (the only thing on stdout;
# build chatter goes to stderr). Used by tests/realparts/trivy.test.ts, which runs `trivy config` (its Kubernetes
# misconfiguration checks, embedded at the trivy-checks version go.sum pins: nothing is downloaded at scan time) over
# every rendered object and fails on any HIGH or CRITICAL finding not listed, with a reason, in policy/trivy-ignore.yaml.
#
#   bash tests/harness/build/build-trivy.sh        # -> ~/.cache/sas-onboarding/trivy/v0.74.0/trivy
#
# The version is the one tests/harness/go/trivy/go.mod requires (one source of truth, go.sum pins every dependency);
# bump it there with `GOEXPERIMENT=jsonv2 go get github.com/aquasecurity/trivy@vX.Y.Z && GOEXPERIMENT=jsonv2 go mod tidy`.
# Trivy imports encoding/json/v2, which Go 1.26 only builds with GOEXPERIMENT=jsonv2 (upstream's goreleaser sets it).
# Cold build (module download + compile, ~170 MB binary) on 2 busy cores: about 9-10 minutes; warm: the path at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD_DIR="$ROOT/tests/harness/go/trivy"
MODULE="github.com/aquasecurity/trivy"

log() { echo "build-trivy: $*" >&2; }

# The version go.mod requires of a module, in a one-line `require m v` or inside a `require ( ... )` block.
required_version() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m) { print $2; exit }' "$2"; }

version="$(required_version "$MODULE" "$MOD_DIR/go.mod")"
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) log "cannot read the $MODULE version from tests/harness/go/trivy/go.mod (got '$version')"; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/trivy/$version"
bin="$dir/trivy"
if [ ! -x "$bin" ]; then
  if ! command -v go >/dev/null 2>&1; then
    log "'go' is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD_DIR/go.mod") (https://go.dev/dl) or put /usr/local/go/bin on PATH"
    exit 3
  fi
  log "building $MODULE/cmd/trivy@$version into $dir (cold: about 10 minutes on 2 cores)"
  mkdir -p "$dir"
  # Build into a private dir and rename: a concurrent run never sees a half-written binary.
  staging="$(mktemp -d "$dir/.build-XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  t0=$SECONDS
  (cd "$MOD_DIR" && GOEXPERIMENT=jsonv2 CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w -X $MODULE/pkg/version/app.ver=${version#v}" \
    -o "$staging/trivy" "$MODULE/cmd/trivy") >&2
  mv -f "$staging/trivy" "$bin"
  log "built trivy ${version#v} in $((SECONDS - t0))s"
fi
echo "$bin"
