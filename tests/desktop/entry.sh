#!/bin/sh
# SPDX-License-Identifier: ISC
# etc/jmap-pushd.desktop, which the notifications' hint
# desktop-entry=jmap-pushd names: hidden from menus, with a name and an
# icon for the notification daemon; valid for desktop-file-validate when
# that is installed.
f="${top_srcdir:?}/etc/jmap-pushd.desktop"
rc=0
for kv in '[Desktop Entry]' Type=Application Name=jmap-pushd Icon=mail-unread \
    NoDisplay=true; do
	grep -qxF -- "$kv" "$f" || { echo "FAIL: $f lacks the line $kv"; rc=1; }
done
if command -v desktop-file-validate >/dev/null; then
	desktop-file-validate "$f" || rc=1
fi
exit $rc
