#!/bin/bash
# SPDX-License-Identifier: ISC
# on_start runs once at start with JMAP_REASON=start; three quick deliveries
# inside one debounce window make one run with the merged, latest states;
# exec = runs a program without a shell, its words split and quoted.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

server_start
write_config
sed -i '/^\[hook record\]/,$d' "$T/config"
mkfifo "$T/batch.fifo" "$T/init.fifo"
exec 5<>"$T/batch.fifo" 6<>"$T/init.fifo"
cat >>"$T/config" <<CONF
[hook init]
on_start = yes
command = env | grep '^JMAP_' | LC_ALL=C sort > "$T/init.env"; cat > "$T/init.stdin"; echo init > "$T/init.fifo"

[hook batch]
debounce = 700ms
command = n=\$(( \$(cat "$T/batch.runs" 2>/dev/null || echo 0) + 1 )); echo \$n > "$T/batch.runs"; env | grep '^JMAP_' | LC_ALL=C sort > "$T/batch.\$n.env"; cat > "$T/batch.\$n.stdin"; echo \$n > "$T/batch.fifo"

[hook argv]
debounce = 0
exec = printf '[%s|%s|%s]\n' "a b" c\ d \$JMAP_REASON
CONF
daemon_start

read -r -t "$WAIT" x <&6 || fail "on_start hook did not run"
expect_file "$T/init.env" 'JMAP_ACCOUNT=test
JMAP_HOOK=init
JMAP_REASON=start
JMAP_TYPES='
expect_stdin "$T/init.stdin" '{"@type":"StateChange","changed":{}}'

control 'deliver?account=u1&count=3' >/dev/null
read -r -t "$WAIT" n <&5 || fail "debounced hook did not run"
[ "$n" = 1 ] || fail "expected run 1, got $n"
expect_file "$T/batch.1.env" 'JMAP_ACCOUNT=test
JMAP_ACCOUNT_ID=u1
JMAP_HOOK=batch
JMAP_PUSH_STATE=p3
JMAP_REASON=push
JMAP_STATE_Email=e3
JMAP_STATE_EmailDelivery=d3
JMAP_STATE_Mailbox=m3
JMAP_STATE_Thread=t3
JMAP_TYPES=Email EmailDelivery Mailbox Thread'
expect_stdin "$T/batch.1.stdin" '{"@type":"StateChange","changed":{"u1":{"Email":"e3","EmailDelivery":"d3","Mailbox":"m3","Thread":"t3"}},"pushState":"p3"}'

# No second run for that batch: the next one is the next delivery's.
control 'deliver?account=u1' >/dev/null
read -r -t "$WAIT" n <&5 || fail "debounced hook did not run again"
[ "$n" = 2 ] || fail "expected run 2, got $n"
grep -qx 'JMAP_PUSH_STATE=p4' "$T/batch.2.env" || fail "run 2 is not for p4"

# Without a shell: the quoting of exec = decides the words, $ is literal.
wait_log 'hook argv: \[a b|c d|\$JMAP_REASON\]'
daemon_stop
echo "ok"
