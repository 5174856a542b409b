# Sourced by ./run: puts a Node >= 22.22 and the pinned pnpm first on PATH.
# When the machine's Node is older (or pnpm is missing) both come from the npm registry (the `node`
# package ships Node's binaries) into a cache folder; nothing outside it and the project is touched.
NODE_PIN="24.21.0"
PNPM_PIN="10.34.8"
NODE_MIN="22.22.0"

version_ge() { # $1 >= $2, both x.y.z
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

toolchain_ok() {
  command -v node >/dev/null 2>&1 || return 1
  command -v pnpm >/dev/null 2>&1 || return 1
  version_ge "$(node -p 'process.versions.node')" "$NODE_MIN" || return 1
  [ "$(pnpm --version 2>/dev/null)" = "$PNPM_PIN" ]
}

if ! toolchain_ok; then
  cache="${VOUCH_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vouch-toolchain}/node-$NODE_PIN-pnpm-$PNPM_PIN"
  if [ ! -x "$cache/node_modules/.bin/pnpm" ] || [ ! -x "$cache/node_modules/node/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "toolchain: npm is needed to provision Node $NODE_PIN" >&2; exit 2; }
    echo "toolchain: installing Node $NODE_PIN and pnpm $PNPM_PIN into $cache" >&2
    mkdir -p "${cache%/*}"
    tmp="$(mktemp -d "${cache%/*}/.tmp.XXXXXX")"
    printf '{"name":"vouch-toolchain","private":true}\n' > "$tmp/package.json"
    npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error --no-save \
      "node@$NODE_PIN" "pnpm@$PNPM_PIN" >&2
    rm -rf "$cache"
    mv "$tmp" "$cache"
  fi
  export PATH="$cache/node_modules/node/bin:$cache/node_modules/.bin:$PATH"
fi
export COREPACK_ENABLE_STRICT=0
