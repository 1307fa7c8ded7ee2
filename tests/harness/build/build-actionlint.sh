#!/usr/bin/env bash
# Builds actionlint from its Go module into a per-version cache dir, only when that binary is missing, and prints
# the binary's path (the only thing on stdout; build chatter goes to stderr). Used by tests/workflows/actionlint.test.ts.
#
# The version is pinned so every machine lints with the same rules; bump it deliberately:
#   ACTIONLINT_VERSION=latest tests/harness/build/build-actionlint.sh   # resolves the newest release via the Go module proxy
# v1.7.12 was the newest release on the Go module proxy when this was written (proxy.golang.org/.../@v/list).
set -euo pipefail

MODULE="github.com/rhysd/actionlint"
version="${ACTIONLINT_VERSION:-v1.7.12}"

if ! command -v go >/dev/null 2>&1; then
  echo "build-actionlint: 'go' is not on PATH; install Go >= 1.24 (https://go.dev/dl) or put /usr/local/go/bin on PATH" >&2
  exit 2
fi

if [ "$version" = "latest" ]; then
  version=$(GOFLAGS=-mod=mod go list -m -f '{{.Version}}' "$MODULE@latest")
  echo "build-actionlint: newest release on the Go module proxy is $version" >&2
fi
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "build-actionlint: ACTIONLINT_VERSION='$version' is not a release tag like v1.7.12 (or 'latest')" >&2; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sas-onboarding/actionlint/$version"
bin="$dir/actionlint"
if [ ! -x "$bin" ]; then
  echo "build-actionlint: building $MODULE/cmd/actionlint@$version into $dir" >&2
  mkdir -p "$dir"
  # Build into a private dir and rename: a concurrent run never sees a half-written binary.
  staging=$(mktemp -d "$dir/.build-XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  GOBIN="$staging" GOFLAGS=-buildvcs=false go install -ldflags "-s -w -X $MODULE.version=$version" \
    "$MODULE/cmd/actionlint@$version" >&2
  mv -f "$staging/actionlint" "$bin"
fi
echo "$bin"
