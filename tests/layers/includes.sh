#!/bin/bash
# SPDX-License-Identifier: ISC
# Dependencies point one way: util <- config, state <- transport <- session
# (JMAP) <- output <- daemon.  This reads every #include "dir/..." line
# under src/ and fails on an include that goes against that order.  It
# also fails when a file outside transport/*.c includes <libwebsockets.h>.
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
	[output]="util config state transport session"
	[daemon]="util config state transport session output"
	[ctl]="util config"
)
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

rc=0
if [ -n "$found" ]; then
	echo "includes against the layer order (HACKING.md, 'Layers'):" >&2
	printf '%s' "$found" >&2
	rc=1
fi
# libwebsockets is the transport's business: only its .c files see lws
# types (transport/netconn.h dispatches lws callbacks without them).
lws=$(grep -l '^#include <libwebsockets.h>' */*.[ch] |
	grep -v '^transport/[a-z_]*\.c$' || true)
if [ -n "$lws" ]; then
	echo "<libwebsockets.h> outside transport/*.c:" >&2
	printf 'src/%s\n' $lws >&2
	rc=1
fi
[ $rc -ne 0 ] || echo "includes follow the layer order"
exit $rc
