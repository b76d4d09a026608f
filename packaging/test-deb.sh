#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the package built by "make deb" (jmap-pushd_*.deb in the current
# directory) on this machine, checks what it installed, and removes it again.
# Needs root (or sudo) and apt; CI runs it after make deb.
set -eu
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

set -- ./jmap-pushd_*.deb
[ $# -eq 1 ] && [ -f "$1" ] ||
    fail "expected one jmap-pushd_*.deb in $(pwd) (run make deb), found: $*"
deb=$1
if dpkg-query -W -f '${Status}' jmap-pushd 2>/dev/null | grep -q ' installed$'; then
	fail "jmap-pushd is already installed here; remove it first (apt-get purge jmap-pushd)"
fi
trap 'apt-get purge -y -qq jmap-pushd >/dev/null 2>&1 || true' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
    fail "apt-get install $deb failed"

version=$(dpkg-query -W -f '${Version}' jmap-pushd)
out=$(jmap-pushd --version)
[ "$out" = "jmap-pushd ${version%-*}" ] ||
    fail "jmap-pushd --version printed '$out', expected 'jmap-pushd ${version%-*}'"

doc=/usr/share/doc/jmap-pushd
example=$doc/examples/jmap-pushd.conf.example
[ -f "$example" ] || fail "$example is missing"
out=$(jmap-pushd --check-config -c "$example") ||
    fail "jmap-pushd --check-config rejects the shipped example: $out"
[ "$out" = "$example: configuration OK" ] ||
    fail "jmap-pushd --check-config printed '$out'"

for f in /usr/bin/jmap-pushd /usr/bin/jmap-pushctl \
    /lib/systemd/system/jmap-pushd-system.service \
    /usr/lib/systemd/user/jmap-pushd.service \
    /usr/lib/systemd/user/jmap-pushd.socket \
    /usr/share/man/man8/jmap-pushd.8.gz \
    /usr/share/man/man1/jmap-pushctl.1.gz \
    /usr/share/man/man5/jmap-pushd.conf.5.gz \
    /usr/share/dbus-1/system.d/org.jmappushd.Pushd1.conf \
    /usr/share/applications/jmap-pushd.desktop \
    $doc/copyright; do
	[ -e "$f" ] || fail "the package did not install $f"
done
grep -q '^License: ISC$' $doc/copyright ||
    fail "$doc/copyright does not name the ISC license"
getent group jmap-pushd >/dev/null ||
    fail "the package did not create the group jmap-pushd"
grep -q '<policy group="jmap-pushd">' /usr/share/dbus-1/system.d/org.jmappushd.Pushd1.conf ||
    fail "the D-Bus policy does not name the group jmap-pushd"
# Installed, enabled for nobody.
for f in /etc/systemd/system/multi-user.target.wants/jmap-pushd-system.service \
    /etc/systemd/user/default.target.wants/jmap-pushd.service \
    /etc/systemd/user/sockets.target.wants/jmap-pushd.socket; do
	[ ! -e "$f" ] || fail "installing the package enabled $f"
done

apt-get purge -y -qq jmap-pushd >/dev/null || fail "apt-get purge jmap-pushd failed"
[ ! -e /usr/bin/jmap-pushd ] || fail "/usr/bin/jmap-pushd is left after purge"
echo "$deb: installs, runs and purges cleanly"
