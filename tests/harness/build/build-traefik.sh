#!/usr/bin/env bash
# Builds the real Traefik (github.com/traefik/traefik/v3 cmd/traefik) through the Go module proxy, via the
# wrapper module tests/harness/go/traefik, for tests/harness/realparts/traefik.ts (the ingress controller
# outside the embedded cluster).
#
#   bash tests/harness/build/build-traefik.sh        # prints the path of the traefik binary
#
# - The binary lands in ${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/traefik/<version>/traefik and is built only
#   when missing (into a temp dir, then moved). Cold build on 2 cores: see docs/REAL-NODE.md.
# - The web UI: the module zip carries webui/static with only a placeholder file (the Vue app is built by
#   `make build-webui-image`, with Docker and npm), so the binary serves no dashboard UI. The API and the
#   providers are whole; nothing here needs the dashboard.
# - Traefik's go.mod replaces (its nested module github.com/traefik/traefik/dynamic/ext, containous forks) are
#   repeated in the wrapper's go.mod: a dependent module does not inherit them.
# Everything the build says goes to stderr (full go output in a log file); stdout carries only the path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MOD="$ROOT/tests/harness/go/traefik"
VERSION="$(awk '$1=="require" && $2=="github.com/traefik/traefik/v3" {print $3; exit} ($1=="github.com/traefik/traefik/v3" && $2 ~ /^v/) {print $2; exit}' "$MOD/go.mod")"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding"
DIR="$CACHE_ROOT/traefik/$VERSION"
LOG="$CACHE_ROOT/build-logs/traefik.log"

log() { echo "build-traefik: $*" >&2; }
die() { echo "build-traefik: error: $1" >&2; exit "${2:-1}"; }
[[ -n "$VERSION" ]] || die "cannot read the version of github.com/traefik/traefik/v3 from $MOD/go.mod" 2

if [[ ! -x "$DIR/traefik" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is not on PATH; install Go >= $(awk '$1=="go"{print $2}' "$MOD/go.mod")" 3
  mkdir -p "$DIR" "$(dirname "$LOG")"
  log "building traefik $VERSION into $DIR (cold: several minutes on 2 cores); log: $LOG"
  t0=$SECONDS
  tmp="$(mktemp -d "$DIR/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  pkg=github.com/traefik/traefik/v3/pkg/version
  ldflags="-s -w -X $pkg.Version=$VERSION -X $pkg.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if ! (cd "$MOD" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/traefik" github.com/traefik/traefik/v3/cmd/traefik) >"$LOG" 2>&1; then
    die "building traefik failed; log: $LOG; last lines: $(tail -n 3 "$LOG" | tr '\n' ' ')" 4
  fi
  mv -f "$tmp/traefik" "$DIR/traefik"
  log "built traefik in $((SECONDS - t0))s"
fi
log "$("$DIR/traefik" version 2>&1 | awk '/^Version:/{print "traefik " $2}')"
echo "$DIR/traefik"
