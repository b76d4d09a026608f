#!/bin/bash
# SPDX-License-Identifier: ISC
# Dependencies point one way: util <- config, state <- transport <- session
# (JMAP) <- output <- daemon.  This reads every #include "dir/..." line
# under src/ and fails on an include that goes against that order.  The
# ones the restructure (issue 13) has not removed yet are listed in KNOWN
# below; the test also fails when one of them is gone, so that the list
# shrinks with the code and never hides a new one.
set -eu
: "${top_srcdir:?run through make check}"
cd "$top_srcdir/src"

# The folders each folder may include, besides itself.
declare -A allowed=(
	[util]=""
	[config]="util"
	[state]="util"
	[transport]="util"
	[session]="util config state transport"
	[output]="util config state session"
	[daemon]="util config state transport session output"
	[ctl]="util config"
)
KNOWN="
output/dbus.c -> daemon
output/notify.c -> daemon
output/outputs.c -> daemon
output/socket.c -> daemon
transport/http.c -> session
transport/net.c -> session
transport/ws.c -> session
"

found=
for f in */*.[ch]; do
	dir=${f%%/*}
	[ -n "${allowed[$dir]+set}" ] ||
		{ echo "src/$f: folder '$dir' is not in this test's map" >&2; exit 1; }
	for to in $(sed -n 's|^#include "\([a-z_]*\)/.*|\1|p' "$f" | sort -u); do
		[ "$to" = "$dir" ] && continue
		case " ${allowed[$dir]} " in *" $to "*) continue ;; esac
		found+="$f -> $to"$'\n'
	done
done

new=$(comm -23 <(printf '%s' "$found" | sort -u) <(printf '%s\n' $KNOWN | paste -d' ' - - - | sort -u))
gone=$(comm -13 <(printf '%s' "$found" | sort -u) <(printf '%s\n' $KNOWN | paste -d' ' - - - | sort -u))
rc=0
if [ -n "$new" ]; then
	echo "includes against the layer order (HACKING.md, 'Layers'):" >&2
	printf '%s\n' "$new" >&2
	rc=1
fi
if [ -n "$gone" ]; then
	echo "fixed, so remove from KNOWN in tests/layers/includes.sh:" >&2
	printf '%s\n' "$gone" >&2
	rc=1
fi
[ $rc -ne 0 ] || echo "includes follow the layer order ($(printf '%s' "$found" | grep -c . || true) known exceptions)"
exit $rc
