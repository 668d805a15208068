#!/usr/bin/env bash
# Installs the peers of the web UI's browser tests when they are missing:
#
#     bash scripts/install-ui-peers.sh
#
# - Debian's `chromium` (as root, or through sudo), the headless browser;
# - `playwright-core` from npm, which drives it, into a cache directory outside the source
#   tree: $VIGIE_UI_PEERS, by default ${XDG_CACHE_HOME:-$HOME/.cache}/vigie/ui-peers.
#   Only the driver is installed: playwright-core downloads no browser of its own.
#
# Node.js itself comes from Debian (`nodejs`, `npm`) when `node` is missing. The test
# `crates/manager/tests/web.rs` looks for the same directory.
set -euo pipefail

cache=${VIGIE_UI_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie/ui-peers}
# playwright-core's major version pins its browser protocol; 1.x drives Debian's chromium.
playwright_version=${VIGIE_PLAYWRIGHT_VERSION:-1.49.1}

have() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]
}

missing=()
have node || missing+=(nodejs)
have npm || missing+=(npm)
have chromium || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-ui-peers.sh: missing ${missing[*]}; install them with your system's" \
            "package manager" >&2
        exit 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-ui-peers.sh: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    echo "==> installing ${missing[*]} from Debian"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$cache/node_modules/playwright-core/package.json" ]; then
    echo "==> installing playwright-core $playwright_version into $cache"
    mkdir -p "$cache"
    # No browser download: the tests use Debian's chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$cache" --no-audit --no-fund \
        --silent "playwright-core@$playwright_version"
fi
