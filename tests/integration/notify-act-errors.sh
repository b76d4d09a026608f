#!/bin/bash
# SPDX-License-Identifier: ISC
# An action's Email/set carries no ifInState: a change made elsewhere
# between the notification and the click (one the daemon has not even
# seen) cannot make it fail with stateMismatch.  A server's error text
# (SetError type and description) reaches the error notification escaped
# (markup as entities, control characters as spaces, one line) and to
# the log on one line (control characters as '?').
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS='hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'
ACT='actions=1:mark-read=Mark as read'

server_start
export JP_NOTIFYD_CAPS=body-markup,actions
notify_start
wait_log "notifications: the notification server shows actions"
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 1 <sender1@example.com> body=Message 1 $ACT $HINTS"
wait_log "notifications: shown"

# Changed elsewhere, unseen by the daemon (no push): the click still works.
control 'fault?name=quiet' >/dev/null
control 'mail/keyword?id=M1&set=$flagged' >/dev/null
notifyd_cmd "invoke 1 mark-read"
wait_log "notifications: account test: mark-read done"
# What was not pushed meanwhile is, with the next change.
control 'fault?name=none' >/dev/null
control 'change?type=Email' >/dev/null
grep 'mail: Email/set ' "$T/server.log" >"$T/sets"
[ "$(wc -l <"$T/sets")" = 1 ] || fail "not one Email/set: $(cat "$T/sets")"
grep -q 'mail: Email/set {"accountId":"u1","update":{"M1":{"keywords/\$seen":true}}}$' "$T/sets" ||
    fail "the Email/set was not the update of M1's \$seen alone: $(cat "$T/sets")"
! grep -q ifInState "$T/sets" || fail "an action sent ifInState"
expect_next 7 "CloseNotification id=1"

# A hostile error description.
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 2 <sender2@example.com> body=Message 2 $ACT $HINTS"
wait_log "notifications: shown" 2
control 'fault?name=seterror&type=forbidden&descriptionhex=3c623e6e6f3c2f623e2026202278220a6e657874016c696e651b5b33316d' >/dev/null
notifyd_cmd "invoke 2 mark-read"
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=dialog-error summary=jmap-pushd: the mail was not changed body=mark-read failed: forbidden: &lt;b&gt;no&lt;/b&gt; &amp; &quot;x&quot; next line [31m actions=0 hints=category=email;desktop-entry=jmap-pushd;urgency=0 timeout=-1"
wait_log 'notifications: account test: mark-read failed: forbidden: <b>no</b> & "x"?next?line?\[31m$'
[ "$(grep -c 'mail: Email/set ' "$T/server.log")" = 2 ] ||
    fail "the failed action was retried: $(grep 'Email/set' "$T/server.log")"
[ "$(tr -d '\n\t' <"$T/daemon.log" | tr -d '[:print:]' | wc -c)" = 0 ] ||
    fail "a control character reached the log"
daemon_stop
echo ok
