#!/bin/bash
# SPDX-License-Identifier: ISC
# Desktop notifications through a fake notification server: exact Notify
# arguments, markup escaping (a hostile sender and subject too), read or
# archived mail never notified, a burst summarised, nothing announced
# for the change that met cannotCalculateChanges (the mail view invents
# no new mail then) but the mail after it, no request of notify's own, no
# bus at start and no notification server both logged, not fatal.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

HINTS_ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=2 timeout=8000'

server_start
write_config
cat >>"$T/config" <<CONF

[notify]
urgency = critical
timeout = 8s
CONF
# No session bus yet: not an error.
daemon_start
wait_log "notifications: no D-Bus session bus yet"

bus_start
probe_start 7 notifyd
wait_log "notifications: connected to the D-Bus session bus"

# The mail view learnt the states when the daemon connected: the first
# delivery is new mail.
wait_log 'notifications: account test: accountId u1 at Email state e0:'
control "mail?name=Alice&email=alice@example.com&subject=Tom%20%26%20Jerry%20%3C3%20%22q%22%20it%27s" >/dev/null
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Alice <alice@example.com> body=Tom &amp; Jerry &lt;3 &quot;q&quot; it&apos;s $HINTS_ARGS"
wait_hook 1

# Read mail and mail filed elsewhere are not new; the next one is.
control 'mail?seen=1' >/dev/null
control 'deliver' >/dev/null
control 'mail?mailbox=archive' >/dev/null
control 'deliver' >/dev/null
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 4 <sender4@example.com> body=Message 4 $HINTS_ARGS"

# More than max_per_burst (3): one summary, senders newest first.
control 'deliver?count=5' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=5 new messages body=From Sender 9, Sender 8, Sender 7 and 2 others $HINTS_ARGS"
[ "$(grep -c 'mail: Email/query after' "$T/server.log")" = 0 ] ||
    fail "Email/query used: notifications have a request path of their own"

# The server forgot the Email history: mail 10 is not told from older mail
# (not announced), mail 11 after it is.
control 'mail?forget=1' >/dev/null
control 'deliver' >/dev/null
wait_log "the server cannot tell what changed since the saved state"
wait_log 'notifications: account test: accountId u1 at Email state e10:'
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 11 <sender11@example.com> body=Message 11 $HINTS_ARGS"

# No notification server: said once, at info (after the fake one answered
# the last call).
wait_log "notifications: shown" 4
probe_stop 7
control 'deliver' >/dev/null
wait_log "no notification server on the session bus"
control 'deliver' >/dev/null
wait_log "notifications: account test: 1 new message(s)" 5
probe_start 7 notifyd
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 14 <sender14@example.com> body=Message 14 $HINTS_ARGS"
wait_log "notifications: shown" 5
[ "$(grep -c 'no notification server' "$T/daemon.log")" = 1 ] ||
    fail "the missing notification server was logged more than once"

# A hostile sender and subject: markup escaped in the body only (the
# summary is plain text), invalid UTF-8 repaired, and the Notify call still
# goes through (sd-bus refuses invalid UTF-8).
R=$(printf '\xef\xbf\xbd')
control "mail?name=%3Cb%3EEve%3C%2Fb%3E%FF&email=eve@example.com&subject=%3Ca%20href%3D%22x%22%3Eclick%3C%2Fa%3E%FF%20%26amp%3B" >/dev/null
control 'deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=<b>Eve</b>$R <eve@example.com> body=&lt;a href=&quot;x&quot;&gt;click&lt;/a&gt;$R &amp;amp; $HINTS_ARGS"

daemon_stop
echo ok
