#!/bin/bash
# SPDX-License-Identifier: ISC
# jmap-pushctl links only what it uses: json-c, inih and the C library.  The
# daemon's event loop, transports, sd-bus and OpenSSL, and its child process
# code, have no business in a command-line client; a dependency of the
# configuration code on one of them shows up here.
set -eu
: "${top_builddir:?run through make check}"
ctl=$top_builddir/src/jmap-pushctl

if ! command -v readelf >/dev/null || ! command -v nm >/dev/null; then
	echo "SKIP: readelf and nm (binutils) are needed"
	exit 77
fi
fail=0
needed=$(readelf -d "$ctl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
bad=$(printf '%s\n' "$needed" |
    grep -E '^lib(event|event_[a-z]+|websockets|uv|systemd|ssl|crypto)[-.]' ||
    true)
if [ -n "$bad" ]; then
	echo "FAIL: jmap-pushctl needs" $bad >&2
	fail=1
fi
# What a static or LTO link would hide from NEEDED.
bad=$(nm -u "$ctl" |
    awk '$2 ~ /^(event_|evutil_|lws_|uv_|sd_|SSL_|EVP_)/ { print $2 }')
if [ -n "$bad" ]; then
	echo "FAIL: jmap-pushctl calls" $bad >&2
	fail=1
fi
bad=$(nm --defined-only "$ctl" | awk '$3 ~ /^proc_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "FAIL: jmap-pushctl holds the child process code:" $bad >&2
	fail=1
fi
[ $fail = 0 ] || exit 1
echo "jmap-pushctl needs" $needed
