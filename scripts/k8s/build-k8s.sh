#!/usr/bin/env bash
# Builds the binaries of the e2e harness once: kube-apiserver and kube-controller-manager from the pinned
# k8s.io/kubernetes module (tools/k8s/go.mod) and etcd from go.etcd.io/etcd/server/v3 (tools/k8s/etcd/go.mod).
# They are cached OUTSIDE the work tree, keyed by version, so every clone and worktree reuses them:
#   ${ASPEN_E2E_CACHE:-$HOME/.cache/aspen-e2e}/kubernetes-<version>/{kube-apiserver,kube-controller-manager}
#   ${ASPEN_E2E_CACHE:-$HOME/.cache/aspen-e2e}/etcd-<version>/etcd
# Prints the two directories (KEY=dir lines) on stdout; build output goes to stderr.
# A cached binary is reused when it exists; delete the folder to rebuild.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${ASPEN_E2E_CACHE:-$HOME/.cache/aspen-e2e}"

# Versions come from the go.mod files, so there is one place to bump them.
pinned() { # pinned <module> <go.mod>: the required version, from a `require` line or block
  awk -v m="$1" '($1 == m && $2 ~ /^v/) {print $2} ($1 == "require" && $2 == m) {print $3}' "$2" | head -n 1
}
k8s_version="$(pinned k8s.io/kubernetes "$root/tools/k8s/go.mod")"
etcd_version="$(pinned go.etcd.io/etcd/server/v3 "$root/tools/k8s/etcd/go.mod")"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  echo "build-k8s: cannot read the pinned versions from tools/k8s/go.mod and tools/k8s/etcd/go.mod" >&2
  exit 1
fi

if ! command -v go > /dev/null; then
  echo "build-k8s: Go is not on PATH; it builds etcd and kube-apiserver once (Go 1.25 or newer, the Go module proxy)" >&2
  exit 1
fi

k8s_dir="$cache/kubernetes-$k8s_version"
etcd_dir="$cache/etcd-$etcd_version"
mkdir -p "$k8s_dir" "$etcd_dir"

minor="${k8s_version#v1.}"
minor="${minor%%.*}"
# The version kube-apiserver reports (and kubectl compares against); without it the binary says v0.0.0-master.
k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"

build() { # build <module dir> <output> <package> <ldflags>
  local dir="$1" out="$2" pkg="$3" ldflags="$4"
  if [[ -x "$out" ]]; then
    echo "build-k8s: cached $out" >&2
    return 0
  fi
  local start=$SECONDS
  echo "build-k8s: building $pkg -> $out" >&2
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp" "$pkg")
  mv "$out.tmp" "$out"
  echo "build-k8s: built $out in $((SECONDS - start))s" >&2
}

build "$root/tools/k8s/etcd" "$etcd_dir/etcd" go.etcd.io/etcd/server/v3 "-s -w"
build "$root/tools/k8s" "$k8s_dir/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build "$root/tools/k8s" "$k8s_dir/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"

echo "KUBERNETES_DIR=$k8s_dir"
echo "ETCD_DIR=$etcd_dir"
