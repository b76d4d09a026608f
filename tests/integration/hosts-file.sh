#!/bin/bash
# SPDX-License-Identifier: ISC
# Names in /etc/hosts resolve, with a usable /etc/resolv.conf and without
# one (libevent's resolver then needs /etc/hosts loaded by name, and must
# not wait for a name server that will never come).  The daemon runs in a
# private mount namespace where both files are the test's own, so no name
# server is ever asked; without unshare(1) and the right to mount there,
# the test is skipped.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

NAME=jmap-pushd-hosts.test
printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$NAME" >"$T/hosts"
: >"$T/resolv.conf"

cat >"$T/ns-inner" <<'SH'
#!/bin/sh
# ns-inner HOSTS RESOLV COMMAND...: in a new mount namespace, the two
# files over /etc/hosts and /etc/resolv.conf, then COMMAND.
mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf || exit 97
shift 2
exec "$@"
SH
chmod +x "$T/ns-inner"
unshare_opt=
for opt in -m -rm; do
	if unshare $opt "$T/ns-inner" "$T/hosts" "$T/resolv.conf" true 2>/dev/null; then
		unshare_opt=$opt
		break
	fi
done
if [ -z "$unshare_opt" ]; then
	echo "SKIP: cannot bind-mount over /etc/hosts in a mount namespace (unshare)"
	exit 77
fi
JP_DAEMON_WRAPPER="unshare $unshare_opt $T/ns-inner $T/hosts $T/resolv.conf ${JP_DAEMON_WRAPPER:-}"

server_start --host "$NAME"
write_config
sed -i "s|^url = .*|url = http://$NAME:$PORT/.well-known/jmap|" "$T/config"

# A resolv.conf naming a (loopback) name server: libevent reads
# /etc/hosts along with it.
printf 'nameserver 127.0.0.1\n' >"$T/resolv.conf"
daemon_start
wait_log 'states unchanged since last seen'
expect_log "account test: connected to ws://$NAME:$PORT/jmap/ws/ over websocket"
daemon_stop

# No name server at all: the daemon says so and still knows the names in
# /etc/hosts, not just localhost; another name fails at once instead of
# waiting forever for a name server.
: >"$T/resolv.conf"
: >"$T/daemon.log"
cat >>"$T/config" <<CONF

[account other]
url = http://jmap-pushd-nowhere.test:$PORT/.well-known/jmap
username = alice@example.com
password_file = $T/password
CONF
daemon_start
wait_log 'states unchanged since last seen'
expect_log 'dns: cannot read /etc/resolv.conf; only numeric addresses and /etc/hosts names will resolve'
expect_log "account test: connected to ws://$NAME:$PORT/jmap/ws/ over websocket"
wait_log 'account other: session request failed: cannot resolve jmap-pushd-nowhere.test: not in /etc/hosts, and /etc/resolv.conf names no name server; retrying in ' 2
daemon_stop
echo "ok"
