#!/bin/bash
# SPDX-License-Identifier: ISC
# `make demo` is the README's first command: it must keep working exactly
# as written.  Runs tests/demo.sh as `make demo` does and checks what it
# shows: three mails, each a socket event and a mail-aware hook run with
# the inbox's unread count, the inbox in `jmap-pushctl mailboxes`, and a
# clean stop.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

TMPDIR=$T bash "$top_srcdir/tests/demo.sh" "$top_builddir" "$top_srcdir" \
    >"$T/demo.out" 2>&1 || { cat "$T/demo.out"; fail "make demo failed"; }
cat "$T/demo.out"
for i in 1 2 3; do
	grep -qx "hook ran: $i unread in the inbox" "$T/demo.out" ||
	    fail "hook run $i missing"
	grep -qF "hook announce: new mail for demo in Inbox: 1 new, $i unread" \
	    "$T/demo.out" || fail "the hook's line $i is missing"
done
[ "$(grep -c '^watch: .* demo u1: Email=' "$T/demo.out")" = 3 ] ||
    fail "expected three socket events"
grep -qE '^demo +Inbox +inbox +3 +3$' "$T/demo.out" ||
    fail "jmap-pushctl mailboxes does not list the inbox with 3 unread"
[ "$(tail -n 1 "$T/demo.out")" = "==> demo finished: three mails, three socket events, three mail-aware hook runs, clean shutdown" ] ||
    fail "the demo did not finish cleanly"
echo "ok"
