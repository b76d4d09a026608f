#!/bin/bash
# SPDX-License-Identifier: ISC
# 10,000 new emails in one change: one summary notification (beyond
# max_per_burst) counting them all, naming the newest senders of the first
# page the mail view fetched (MAILVIEW_MAX_CHANGES, 256) "and others"; then
# single notifications again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/buslib.sh" || exit 99

ARGS='actions=0 hints=category=email.arrived;desktop-entry=jmap-pushd;sound-name=message-new-email;urgency=1 timeout=-1'

server_start
notify_start
control 'mail/deliver?count=10000' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=10000 new messages body=From Sender 256, Sender 255, Sender 254 and others $ARGS"
control 'mail/deliver' >/dev/null
expect_next 7 "Notify app=jmap-pushd replaces=0 icon=mail-unread summary=Sender 10001 <sender10001@example.com> body=Message 10001 $ARGS"
daemon_stop
echo ok
