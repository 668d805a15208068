#!/usr/bin/env bash
# Installs the PyPI packages of the test peers when they are missing:
#
#     scripts/install-python-peers.sh aiosmtpd
#
# aiosmtpd is the real SMTP server the e-mail tests deliver to. Installs python3 and pip from
# Debian first when there is no python3 (as root, or through sudo). On a Debian python that
# refuses user-wide installs (PEP 668), it retries with --break-system-packages: the tests
# need the package importable by the python3 they start.
set -euo pipefail

missing=()
for package in "$@"; do
    python3 -c "import $package" >/dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    echo "==> installing python3 and pip from Debian"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends python3 python3-pip
fi

echo "==> installing ${missing[*]} from PyPI"
python3 -m pip install --quiet "${missing[@]}" ||
    python3 -m pip install --quiet --break-system-packages "${missing[@]}"
