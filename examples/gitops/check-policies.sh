#!/usr/bin/env bash
# The checks of the GitHub Actions workflow for any CI (GitLab, Jenkins, a pre-commit hook):
#   examples/gitops/check-policies.sh policies/
# Uses `aspen` from PATH, or ASPEN (e.g. ASPEN="node /path/to/aspen/bin/aspen.js", or
# ASPEN="docker run --rm -v $PWD:/w:ro -w /w ghcr.io/aspen-dev/aspen:0.1.0").
# Exit 1 when a policy would be refused by aspen's webhook or the audit finds a problem at or above $FAIL_ON.
set -euo pipefail
dir="${1:-policies}"
aspen="${ASPEN:-aspen}"
fail_on="${FAIL_ON:-high}"
# shellcheck disable=SC2086 # ASPEN may be a command with arguments
$aspen validate "$dir"
# shellcheck disable=SC2086
$aspen audit "$dir" --fail-on "$fail_on"
