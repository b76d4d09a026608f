#!/bin/bash
# SPDX-License-Identifier: ISC
# The test server's mail model, driven through its control endpoints and
# POST /jmap/api with exact answers: nested mailboxes and paths,
# Mailbox/changes with updatedProperties on a count-only change,
# Email/changes across a move, a keyword change and a destroy, paging
# with maxChanges, cannotCalculateChanges after forget, 10,000 mails in one
# change, Email/set mark-as-read, drafts and sent, hostile strings kept
# byte-exact, and the Mailbox/Email call counters.  No daemon.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

# calls JSON: the methodResponses of a Request with those methodCalls,
# compact, with invalid UTF-8 kept as it came.
calls() {
	curl -sS --max-time "$WAIT" --fail-with-body -u alice@example.com:secret \
	    -H 'Content-Type: application/json' --data-binary \
	    "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"],\"methodCalls\":$1}" \
	    "$BASE/jmap/api" >"$T/api.json" || fail "POST /jmap/api failed: $1"
	python3 -c '
import json, sys
r = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape"))
sys.stdout.buffer.write(json.dumps(r["methodResponses"], separators=(",", ":"),
    ensure_ascii=False).encode("utf-8", "surrogateescape") + b"\n")' "$T/api.json"
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1:
  got  $2
  want $3"
}

# field JSON EXPR: a Python expression over r (the parsed JSON).
field() {
	printf '%s' "$1" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(json.dumps('"$2"', separators=(",", ":")))'
}

server_start
# Nothing asked yet: no call counted.  State probes never count.
expect "counters at start" "$(field "$(control status)" 'r["mailCalls"]')" '{"u1":0}'
calls '[["Email/get",{"accountId":"u1","ids":[]},"0"],["Mailbox/get",{"accountId":"u1","ids":[]},"1"]]' >/dev/null
expect "state probes counted" "$(field "$(control status)" 'r["mailCalls"]')" '{"u1":0}'

# The tree: roles, nested folders, parentIds.
expect "Mailbox/get" "$(calls '[["Mailbox/get",{"accountId":"u1","ids":null,"properties":["name","parentId","role"]},"0"]]')" \
    '[["Mailbox/get",{"accountId":"u1","state":"m0","list":[{"id":"mb-inbox","name":"Inbox","parentId":null,"role":"inbox"},{"id":"mb-drafts","name":"Drafts","parentId":null,"role":"drafts"},{"id":"mb-sent","name":"Sent","parentId":null,"role":"sent"},{"id":"mb-trash","name":"Trash","parentId":null,"role":"trash"},{"id":"mb-junk","name":"Junk","parentId":null,"role":"junk"},{"id":"mb-archive","name":"Archive","parentId":null,"role":"archive"},{"id":"mb-work","name":"Work","parentId":null,"role":null},{"id":"mb-projects","name":"Projects","parentId":"mb-work","role":null},{"id":"mb-lists","name":"Lists","parentId":null,"role":null},{"id":"mb-rust","name":"rust","parentId":"mb-lists","role":null}],"notFound":[]},"0"]]'
expect "Mailbox/get one" "$(calls '[["Mailbox/get",{"accountId":"u1","ids":["mb-rust","nope"]},"0"]]')" \
    '[["Mailbox/get",{"accountId":"u1","state":"m0","list":[{"id":"mb-rust","name":"rust","parentId":"mb-lists","role":null,"sortOrder":100,"totalEmails":0,"unreadEmails":0,"totalThreads":0,"unreadThreads":0,"myRights":{"mayReadItems":true,"mayAddItems":true,"mayRemoveItems":true,"maySetSeen":true,"maySetKeywords":true,"mayCreateChild":true,"mayRename":true,"mayDelete":true,"maySubmit":true},"isSubscribed":true}],"notFound":["nope"]},"0"]]'

# A delivery by path: one change of the four delivery types.
expect "deliver to Lists/rust" "$(control 'mail/deliver?mailbox=Lists/rust&name=Ann&email=ann@example.com&subject=Hello')" \
    '{"account":"u1","ids":["M1"],"changed":["Email","EmailDelivery","Mailbox","Thread"],"pushState":"p1","states":{"Email":"e1","EmailDelivery":"d1","Mailbox":"m1","Thread":"t1","Identity":"i0","EmailSubmission":"s0","VacationResponse":"v0"}}'
expect "Email/get" "$(calls '[["Email/get",{"accountId":"u1","ids":["M1"],"properties":["mailboxIds","keywords","from","subject","messageId","threadId","preview","size"]},"0"]]')" \
    '[["Email/get",{"accountId":"u1","state":"e1","list":[{"id":"M1","threadId":"T1","mailboxIds":{"mb-rust":true},"keywords":{},"size":540,"messageId":["msg1@example.com"],"from":[{"name":"Ann","email":"ann@example.com"}],"subject":"Hello","preview":"Hello"}],"notFound":[]},"0"]]'

# Count-only Mailbox change: updatedProperties; a rename: null.
control 'mail/deliver' >/dev/null
expect "Mailbox/changes counts" "$(calls '[["Mailbox/changes",{"accountId":"u1","sinceState":"m1"},"0"],["Mailbox/get",{"accountId":"u1","#ids":{"resultOf":"0","name":"Mailbox/changes","path":"/updated"},"properties":["totalEmails","unreadEmails","totalThreads","unreadThreads"]},"1"]]')" \
    '[["Mailbox/changes",{"accountId":"u1","oldState":"m1","newState":"m2","hasMoreChanges":false,"created":[],"updated":["mb-inbox"],"destroyed":[],"updatedProperties":["totalEmails","unreadEmails","totalThreads","unreadThreads"]},"0"],["Mailbox/get",{"accountId":"u1","state":"m2","list":[{"id":"mb-inbox","totalEmails":1,"unreadEmails":1,"totalThreads":1,"unreadThreads":1}],"notFound":[]},"1"]]'
expect "rename" "$(field "$(control 'mail/mailbox?op=rename&mailbox=Work/Projects&name=Plans')" '[r["mailbox"], r["changed"], r["states"]["Mailbox"]]')" \
    '["mb-projects",["Mailbox"],"m3"]'
expect "create" "$(field "$(control 'mail/mailbox?op=create&name=Sub&parent=Work/Plans')" '[r["mailbox"], r["changed"], r["states"]["Mailbox"]]')" \
    '["mb-11",["Mailbox"],"m4"]'
expect "Mailbox/changes rename" "$(calls '[["Mailbox/changes",{"accountId":"u1","sinceState":"m2"},"0"],["Mailbox/get",{"accountId":"u1","ids":["mb-11"],"properties":["name","parentId"]},"1"]]')" \
    '[["Mailbox/changes",{"accountId":"u1","oldState":"m2","newState":"m4","hasMoreChanges":false,"created":["mb-11"],"updated":["mb-projects"],"destroyed":[],"updatedProperties":null},"0"],["Mailbox/get",{"accountId":"u1","state":"m4","list":[{"id":"mb-11","name":"Sub","parentId":"mb-projects"}],"notFound":[]},"1"]]'
expect "destroy mailbox" "$(field "$(control 'mail/mailbox?op=destroy&mailbox=mb-11')" '[r["changed"], r["states"]["Mailbox"]]')" '[["Mailbox"],"m5"]'
expect "Mailbox/changes destroy" "$(calls '[["Mailbox/changes",{"accountId":"u1","sinceState":"m2"},"0"]]')" \
    '[["Mailbox/changes",{"accountId":"u1","oldState":"m2","newState":"m5","hasMoreChanges":false,"created":[],"updated":["mb-projects"],"destroyed":[],"updatedProperties":null},"0"]]'

# Email/changes across a move, a keyword change and a destroy.
expect "move" "$(control 'mail/move?id=M2&to=archive')" \
    '{"account":"u1","ids":["M2"],"changed":["Email","Mailbox"],"pushState":"p6","states":{"Email":"e3","EmailDelivery":"d2","Mailbox":"m6","Thread":"t2","Identity":"i0","EmailSubmission":"s0","VacationResponse":"v0"}}'
expect "flag" "$(field "$(control 'mail/keyword?id=M1&set=$flagged')" '[r["changed"], r["states"]["Email"], r["states"]["Mailbox"]]')" '[["Email"],"e4","m6"]'
expect "seen" "$(field "$(control 'mail/keyword?id=M1&set=$seen')" '[r["changed"], r["states"]["Email"], r["states"]["Mailbox"]]')" '[["Email","Mailbox"],"e5","m7"]'
expect "Email/changes move, keywords" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e2"},"0"],["Email/get",{"accountId":"u1","#ids":{"resultOf":"0","name":"Email/changes","path":"/updated"},"properties":["mailboxIds","keywords"]},"1"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e2","newState":"e5","hasMoreChanges":false,"created":[],"updated":["M2","M1"],"destroyed":[]},"0"],["Email/get",{"accountId":"u1","state":"e5","list":[{"id":"M2","mailboxIds":{"mb-archive":true},"keywords":{}},{"id":"M1","mailboxIds":{"mb-rust":true},"keywords":{"$flagged":true,"$seen":true}}],"notFound":[]},"1"]]'
expect "destroy" "$(field "$(control 'mail/destroy?id=M2')" '[r["changed"], r["states"]["Email"]]')" '[["Email","Mailbox","Thread"],"e6"]'
expect "Email/changes destroy" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e5"},"0"],["Email/changes",{"accountId":"u1","sinceState":"e1"},"1"],["Email/changes",{"accountId":"u1","sinceState":"e0"},"2"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e5","newState":"e6","hasMoreChanges":false,"created":[],"updated":[],"destroyed":["M2"]},"0"],["Email/changes",{"accountId":"u1","oldState":"e1","newState":"e6","hasMoreChanges":false,"created":[],"updated":["M1"],"destroyed":[]},"1"],["Email/changes",{"accountId":"u1","oldState":"e0","newState":"e6","hasMoreChanges":false,"created":["M1"],"updated":[],"destroyed":[]},"2"]]'

# Drafts and Sent: no EmailDelivery, nothing unread.
expect "draft" "$(field "$(control 'mail/draft?subject=Draft')" '[r["ids"], r["changed"]]')" '[["M3"],["Email","Mailbox","Thread"]]'
expect "sent" "$(field "$(control 'mail/sent?subject=Sent')" '[r["ids"], r["changed"]]')" '[["M4"],["Email","Mailbox","Thread"]]'
expect "draft, sent" "$(calls '[["Email/get",{"accountId":"u1","ids":["M3","M4"],"properties":["mailboxIds","keywords"]},"0"],["Mailbox/get",{"accountId":"u1","ids":["mb-drafts","mb-sent"],"properties":["totalEmails","unreadEmails"]},"1"]]')" \
    '[["Email/get",{"accountId":"u1","state":"e8","list":[{"id":"M3","mailboxIds":{"mb-drafts":true},"keywords":{"$draft":true,"$seen":true}},{"id":"M4","mailboxIds":{"mb-sent":true},"keywords":{"$seen":true}}],"notFound":[]},"0"],["Mailbox/get",{"accountId":"u1","state":"m10","list":[{"id":"mb-drafts","totalEmails":1,"unreadEmails":0},{"id":"mb-sent","totalEmails":1,"unreadEmails":0}],"notFound":[]},"1"]]'

# Paging: five mails in one change, two at a time; each page goes on
# from the newState of the one before.
expect "five at once" "$(field "$(control 'mail/deliver?count=5')" '[r["ids"], r["pushState"], r["states"]["Email"]]')" \
    '[["M5","M6","M7","M8","M9"],"p12","e9"]'
expect "page 1" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e7","maxChanges":2},"0"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e7","newState":"e8.1","hasMoreChanges":true,"created":["M4","M5"],"updated":[],"destroyed":[]},"0"]]'
expect "page 2" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e8.1","maxChanges":2},"0"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e8.1","newState":"e8.3","hasMoreChanges":true,"created":["M6","M7"],"updated":[],"destroyed":[]},"0"]]'
expect "page 3" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e8.3","maxChanges":2},"0"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e8.3","newState":"e9","hasMoreChanges":false,"created":["M8","M9"],"updated":[],"destroyed":[]},"0"]]'
expect "bad states" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e8.5"},"0"],["Email/changes",{"accountId":"u1","sinceState":"e10"},"1"],["Email/changes",{"accountId":"u1","sinceState":"e1","maxChanges":0},"2"]]')" \
    '[["error",{"type":"cannotCalculateChanges"},"0"],["error",{"type":"cannotCalculateChanges"},"1"],["error",{"type":"invalidArguments"},"2"]]'

# Email/set: mark as read and archive, one change; ifInState.
expect "Email/set" "$(calls '[["Email/set",{"accountId":"u1","ifInState":"e9","update":{"M5":{"keywords/$seen":true},"M6":{"mailboxIds/mb-inbox":null,"mailboxIds/mb-archive":true},"M2":{"keywords/$seen":true},"M7":{"mailboxIds":{}}}},"0"],["Email/set",{"accountId":"u1","ifInState":"e9","update":{"M8":{"keywords/$seen":true}}},"1"],["Mailbox/get",{"accountId":"u1","ids":["mb-inbox","mb-archive"],"properties":["totalEmails","unreadEmails"]},"2"]]')" \
    '[["Email/set",{"accountId":"u1","oldState":"e9","newState":"e10","created":null,"updated":{"M5":null,"M6":null},"destroyed":null,"notCreated":null,"notUpdated":{"M2":{"type":"notFound"},"M7":{"type":"invalidProperties","properties":["mailboxIds"]}},"notDestroyed":null},"0"],["error",{"type":"stateMismatch"},"1"],["Mailbox/get",{"accountId":"u1","state":"m12","list":[{"id":"mb-inbox","totalEmails":4,"unreadEmails":3},{"id":"mb-archive","totalEmails":1,"unreadEmails":1}],"notFound":[]},"2"]]'
expect "Email/set pushState" "$(field "$(control status)" 'r["pushState"]')" '"p13"'

# Forgotten history: earlier states cannot be changed from, the new
# one can.
expect "forget" "$(field "$(control 'mail/forget')" '[r["changed"], r["pushState"], r["states"]["Email"], r["states"]["Mailbox"]]')" \
    '[["Email","Mailbox"],"p14","e11","m13"]'
expect "after forget" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e10"},"0"],["Mailbox/changes",{"accountId":"u1","sinceState":"m12"},"1"],["Email/changes",{"accountId":"u1","sinceState":"e11"},"2"],["Mailbox/changes",{"accountId":"u1","sinceState":"m13"},"3"]]')" \
    '[["error",{"type":"cannotCalculateChanges"},"0"],["error",{"type":"cannotCalculateChanges"},"1"],["Email/changes",{"accountId":"u1","oldState":"e11","newState":"e11","hasMoreChanges":false,"created":[],"updated":[],"destroyed":[]},"2"],["Mailbox/changes",{"accountId":"u1","oldState":"m13","newState":"m13","hasMoreChanges":false,"created":[],"updated":[],"destroyed":[],"updatedProperties":null},"3"]]'

# Hostile strings of 10 kB from files, byte-exact: a mailbox name and a
# subject with shell metacharacters, newlines and invalid UTF-8.
{ printf 'x$(touch %s/pwned);`id`|&\n"\\\377\r\n' "$T"; head -c 10000 /dev/zero | tr '\0' 'y'; } >"$T/hostile"
mb=$(field "$(control "mail/mailbox?op=create&namefile=$T/hostile&parent=inbox")" 'r["mailbox"]')
expect "hostile mailbox" "$mb" '"mb-12"'
control "mail/deliver?mailbox=mb-12&subjectfile=$T/hostile&namefile=$T/hostile" >/dev/null
calls '[["Email/get",{"accountId":"u1","ids":["M10"],"properties":["subject","from","mailboxIds"]},"0"],["Mailbox/get",{"accountId":"u1","ids":["mb-12"],"properties":["name"]},"1"]]' >/dev/null
python3 - "$T/api.json" "$T/hostile" <<'PY' || fail "hostile strings were not kept byte-exact"
import json, sys
r = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape"))
want = open(sys.argv[2], "rb").read()
b = lambda s: s.encode("utf-8", "surrogateescape")
e = r["methodResponses"][0][1]["list"][0]
m = r["methodResponses"][1][1]["list"][0]
assert len(want) > 10000
assert b(e["subject"]) == want and b(e["from"][0]["name"]) == want
assert e["mailboxIds"] == {"mb-12": True}
assert b(m["name"]) == want
PY
[ ! -e "$T/pwned" ] || fail "a hostile string ran as a command"

# 10,000 mails in one change, paged out 256 at a time.
before=$(field "$(control status)" 'r["pushState"]')
expect "10,000 at once" "$(field "$(control 'mail/deliver?count=10000')" '[len(r["ids"]), r["ids"][-1], r["pushState"], r["states"]["Email"]]')" \
    '[10000,"M10010","p17","e13"]'
expect "pushState before" "$before" '"p16"'
state=e12 pages=0 total=0
while :; do
	page=$(calls "[[\"Email/changes\",{\"accountId\":\"u1\",\"sinceState\":\"$state\",\"maxChanges\":256},\"0\"]]")
	n=$(field "$page" 'len(r[0][1]["created"])')
	total=$((total + n)) pages=$((pages + 1))
	state=$(field "$page" 'r[0][1]["newState"]' | tr -d '"')
	[ "$(field "$page" 'r[0][1]["hasMoreChanges"]')" = true ] || break
	[ "$n" = 256 ] || fail "a page of $n before the last"
done
expect "10,000 paged" "$pages $total $state" "40 10000 e13"
expect "inbox after 10,000" "$(calls '[["Mailbox/get",{"accountId":"u1","ids":["mb-inbox"],"properties":["totalEmails","unreadEmails","totalThreads","unreadThreads"]},"0"]]')" \
    '[["Mailbox/get",{"accountId":"u1","state":"m16","list":[{"id":"mb-inbox","totalEmails":10004,"unreadEmails":10003,"totalThreads":10004,"unreadThreads":10003}],"notFound":[]},"0"]]'

# One StateChange per change, on event streams too, and in the history:
# a resume from before the 10,000 gets both changes' types.
curl -sS -N --max-time "$WAIT" -u alice@example.com:secret \
    "$BASE/jmap/eventsource?types=*&closeafter=no&ping=0" >"$T/es.out" &
es=$!
wait_server esStreams=1
expect "mark read" "$(field "$(control 'mail/keyword?id=M11&set=$seen')" '[r["changed"], r["pushState"]]')" '[["Email","Mailbox"],"p18"]'
control close >/dev/null
wait "$es" || fail "the event stream did not end cleanly"
expect "pushed" "$(grep '^data:' "$T/es.out")" \
    'data: {"@type":"StateChange","changed":{"u1":{"Email":"e14","Mailbox":"m17"}},"pushState":"p18"}'
curl -sS -N --max-time "$WAIT" -u alice@example.com:secret -H 'Last-Event-ID: p16' \
    "$BASE/jmap/eventsource?types=*&closeafter=state&ping=0" >"$T/es.out" ||
    fail "no resume"
expect "resumed" "$(grep '^data:' "$T/es.out")" \
    'data: {"@type":"StateChange","changed":{"u1":{"Email":"e14","EmailDelivery":"d5","Mailbox":"m17","Thread":"t8"}},"pushState":"p18"}'

# One email in two mailboxes.
expect "add" "$(field "$(control 'mail/move?id=M11&to=Work&add=1')" '[r["changed"], r["pushState"]]')" '[["Email","Mailbox"],"p19"]'
expect "in two" "$(calls '[["Email/get",{"accountId":"u1","ids":["M11"],"properties":["mailboxIds"]},"0"]]')" \
    '[["Email/get",{"accountId":"u1","state":"e15","list":[{"id":"M11","mailboxIds":{"mb-inbox":true,"mb-work":true}}],"notFound":[]},"0"]]'

# Back-references: /created, /list/*/id; a name that does not match.
expect "references" "$(calls '[["Email/changes",{"accountId":"u1","sinceState":"e12","maxChanges":1},"0"],["Email/get",{"accountId":"u1","#ids":{"resultOf":"0","name":"Email/changes","path":"/created"},"properties":["subject"]},"1"],["Mailbox/get",{"accountId":"u1","ids":["mb-archive","mb-rust"],"properties":[]},"2"],["Mailbox/get",{"accountId":"u1","#ids":{"resultOf":"2","name":"Mailbox/get","path":"/list/*/id"},"properties":["totalEmails"]},"3"],["Email/get",{"accountId":"u1","#ids":{"resultOf":"0","name":"Email/get","path":"/created"}},"4"]]')" \
    '[["Email/changes",{"accountId":"u1","oldState":"e12","newState":"e12.1","hasMoreChanges":true,"created":["M11"],"updated":[],"destroyed":[]},"0"],["Email/get",{"accountId":"u1","state":"e15","list":[{"id":"M11","subject":"Message 11"}],"notFound":[]},"1"],["Mailbox/get",{"accountId":"u1","state":"m18","list":[{"id":"mb-archive"},{"id":"mb-rust"}],"notFound":[]},"2"],["Mailbox/get",{"accountId":"u1","state":"m18","list":[{"id":"mb-archive","totalEmails":1},{"id":"mb-rust","totalEmails":1}],"notFound":[]},"3"],["error",{"type":"invalidResultReference"},"4"]]'

# Bad arguments: 400 with what to fix.
code=$(curl -s -o "$T/err" -w '%{http_code}' "$BASE/control/mail/deliver?mailbox=Nope")
expect "unknown mailbox" "$code $(cat "$T/err")" '400 {"error":"no mailbox \"Nope\" (give an id, a role or a path)"}'

# Every Mailbox/ and Email/ call but the state probes, per method.
expect "counters" "$(field "$(control status)" '[r["mailCalls"], r["mailMethods"]]')" \
    '[{"u1":77},{"u1":{"Mailbox/get":10,"Email/get":7,"Mailbox/changes":5,"Email/changes":53,"Email/set":2}}]'
echo ok
