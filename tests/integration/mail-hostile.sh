#!/bin/bash
# SPDX-License-Identifier: ISC
# Hostile mailbox names and subjects (shell metacharacters, newlines, a CR,
# invalid UTF-8, 10 kB) reach a mail-aware hook byte-exact as values
# (JMAP_MAILBOX, JMAP_MAILBOXES, stdin), repaired only where they were not
# UTF-8 (U+FFFD), and never run as shell text.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/tests/integration/maillib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

server_start
mail_config
add_mail_hook below 'mailboxes = Inbox/*'
daemon_start
wait_round 1

{ printf 'x$(touch %s/pwned);`id`|&\n"\\\377\r\n' "$T"; head -c 10000 /dev/zero | tr '\0' 'y'; } >"$T/hostile"
mb=$(control "mail/mailbox?op=create&namefile=$T/hostile&parent=inbox" | sed -n 's/.*"mailbox":"\([^"]*\)".*/\1/p')
# Creating a mailbox is no mail event: the next run is the delivery's.
wait_round 2
control "mail/deliver?mailbox=$mb&subjectfile=$T/hostile&namefile=$T/hostile" >/dev/null
wait_runs "below 1"
python3 - "$T" <<'PY' || fail "hostile strings did not arrive byte-exact"
import json, sys
t = sys.argv[1]
raw = open(t + "/hostile", "rb").read()
assert len(raw) > 10000 and b"\377" in raw
want = raw.decode("utf-8", "replace").encode("utf-8")
path = b"Inbox/" + want
assert open(t + "/below.1.mailbox", "rb").read() == path
assert open(t + "/below.1.mailboxes", "rb").read() == path
m = json.loads(open(t + "/below.1.stdin", "rb").read().decode("utf-8"))["mail"]
assert m["mailboxes"][0]["path"].encode("utf-8") == path
n = m["new"][0]
assert n["mailbox"].encode("utf-8") == path
assert n["subject"].encode("utf-8") == want
assert n["from"][0]["name"].encode("utf-8") == want
PY
grep -qx 'JMAP_NEW_COUNT=1' "$T/below.1.env" || fail "below 1: $(cat "$T/below.1.env")"
[ ! -e "$T/pwned" ] || fail "a hostile string ran as a command"
daemon_stop
[ "$(cat "$T/runs.below")" = 1 ] || fail "below ran $(cat "$T/runs.below") times"
echo ok
