#!/bin/bash
# SPDX-License-Identifier: ISC
# The README promises that every source file names its license: each C
# file, header, script, build file, unit and manual page of the source tree
# carries "SPDX-License-Identifier: ISC" in its first five lines, and
# LICENSE holds the ISC text.
set -eu
: "${top_srcdir:?run through make check}"
cd "$top_srcdir"

grep -q '^Permission to use, copy, modify, and distribute this software for any$' LICENSE ||
	{ echo "LICENSE does not hold the ISC license text" >&2; exit 1; }

missing=$(find src tests bench etc systemd dbus man packaging m4 \
	    Makefile.am configure.ac .ci \
	    -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' \
	    -o -name '*.am' -o -name '*.mk' -o -name '*.ac' -o -name '*.in' \
	    -o -name '*.[1-8]' -o -name '*.service' -o -name '*.socket' \
	    -o -name '*.spec' -o -name '*.example' -o -name run \
	    -o -name install-deps -o -name rules \) \
	    -not -path '*/corpus/*' -not -name 'Makefile.in' \
	    -not -path 'm4/*' -print 2>/dev/null |
	while read -r f; do
		head -n 5 "$f" | grep -q 'SPDX-License-Identifier: ISC' ||
			echo "$f"
	done)
if [ -n "$missing" ]; then
	echo "files without 'SPDX-License-Identifier: ISC' in their first five lines:" >&2
	printf '%s\n' "$missing" >&2
	exit 1
fi
echo "every source file names its license"
