#!/bin/bash
# SPDX-License-Identifier: ISC
# The mail view costs nothing unless an output needs it: with plain hooks
# the server counts zero Mailbox/ and Email/ calls across deliveries, a
# draft, a move and a mark-as-read; a reload that adds a mail-aware hook
# starts the view (from the states of that moment: nothing announced for
# what came before), and one that removes it stops every request again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99

server_start
write_config
cp "$T/config" "$T/config.plain"
daemon_start
control 'mail/deliver' >/dev/null
wait_hook 1
control 'mail/draft' >/dev/null
wait_hook 2
control 'mail/keyword?id=M1&set=$seen' >/dev/null
wait_hook 3
control 'mail/move?id=M1&to=archive' >/dev/null
wait_hook 4
[ "$(mail_calls)" = 0 ] || fail "plain hooks made $(mail_calls) Mailbox/Email calls"
[ "$(mail_rounds)" = 0 ] || fail "the mail view ran without being wanted"

# A mail-aware hook comes with a reload: the view starts.
add_mail_hook inbox 'mailboxes = inbox'
kill -HUP "$DAEMON_PID"
wait_round 1
calls=$(mail_calls)
[ "$calls" -gt 0 ] || fail "no Mailbox/Email call with a mail-aware hook"
control 'mail/deliver?subject=After' >/dev/null
# The plain hook's run 5 and the inbox hook's first, in either order.
wait_runs 5 "inbox 1"
grep -qx 'JMAP_NEW_COUNT=1' "$T/inbox.1.env" || fail "inbox 1: $(cat "$T/inbox.1.env")"

# And goes with the next one: no more calls.
cp "$T/config.plain" "$T/config"
kill -HUP "$DAEMON_PID"
wait_log 'the mail view is not wanted'
calls=$(mail_calls)
control 'mail/deliver' >/dev/null
wait_hook 6
control 'mail/keyword?id=M1&unset=$seen' >/dev/null
wait_hook 7
[ "$(mail_calls)" = "$calls" ] ||
    fail "$(( $(mail_calls) - calls )) Mailbox/Email calls after the mail-aware hook went"
daemon_stop
echo ok
