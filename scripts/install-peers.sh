#!/usr/bin/env bash
# Installs the Debian packages of the Net-SNMP peers that the interop tests and the tour
# need, and PostgreSQL for the storage tests, when their programs are missing:
#
#     scripts/install-peers.sh snmp snmpd snmptrapd postgresql
#
# Works as root without sudo, and through sudo otherwise. Runs `apt-get update` once, and
# only when something has to be installed. On a system without apt-get it says what to
# install and fails.
set -euo pipefail

# The program that proves each package is installed.
program_of() {
    case "$1" in
        snmp) echo snmpget ;;
        snmpd) echo snmpd ;;
        snmptrapd) echo snmptrapd ;;
        openssl) echo openssl ;;
        rsyslog) echo rsyslogd ;;
        iproute2) echo ip ;;
        # Debian puts the server programs outside PATH, in /usr/lib/postgresql/VERSION/bin.
        postgresql) echo pg_ctl ;;
        *) echo "install-peers.sh: unknown package '$1'" >&2; exit 2 ;;
    esac
}

# Whether a program is on PATH or in the system directories (daemons live in /usr/sbin,
# which a non-root PATH often omits).
have() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ] ||
        compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

missing=()
for package in "$@"; do
    have "$(program_of "$package")" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-peers.sh: missing ${missing[*]}; install the Net-SNMP packages with your" \
        "system's package manager" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-peers.sh: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi

echo "==> installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
