#!/usr/bin/env bash
# Installs the services the test suite starts itself: redis-server (Debian's package), for the global rate-limit
# tests (test/dataplane/redis.ts starts one on a free loopback port in a temporary directory and stops it after).
# Idempotent: does nothing when redis-server is on PATH. Called by .ci/run before `npm test`, and by the test
# helper when redis-server is missing, so `npm test` works on a fresh machine (as root, or with redis-server
# installed by hand).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "aspen: redis-server is not installed; run: sudo apt-get install -y redis-server" >&2
  exit 1
fi
echo "aspen: installing redis-server (Debian) for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# policy-rc.d 101: do not start the packaged service; the tests start their own on a free port.
_aspen_policy=/usr/sbin/policy-rc.d
_aspen_had_policy=0
[ -e "$_aspen_policy" ] && _aspen_had_policy=1
if [ "$_aspen_had_policy" = 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > "$_aspen_policy"
  chmod +x "$_aspen_policy"
fi
apt-get install -y -qq --no-install-recommends redis-server >&2 || { [ "$_aspen_had_policy" = 1 ] || rm -f "$_aspen_policy"; exit 1; }
[ "$_aspen_had_policy" = 1 ] || rm -f "$_aspen_policy"
command -v redis-server >/dev/null
