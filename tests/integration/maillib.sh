# SPDX-License-Identifier: ISC
# For the mail-aware hook tests, after lib.sh: hooks that each count their
# runs and report "NAME N" through the FIFO of lib.sh, and waits on the
# daemon's mail view.

# mail_config: write_config without its record hook; add hooks with
# add_mail_hook.
mail_config() {
	write_config "${1:-}"
	sed -i '/^\[hook record\]/,$d' "$T/config"
}

# add_mail_hook NAME KEYS...: a hook that records its JMAP_* variables
# (NAME.N.env, sorted), its stdin (NAME.N.stdin) and JMAP_MAILBOX and
# JMAP_MAILBOXES byte-exact (NAME.N.mailbox, NAME.N.mailboxes); each KEY
# is a line of its section.
add_mail_hook() {
	local name=$1
	shift
	{
		printf '\n[hook %s]\ndebounce = 0\n' "$name"
		printf '%s\n' "$@"
		printf 'command = n=$(( $(cat "%s/runs.%s" 2>/dev/null || echo 0) + 1 )); echo $n > "%s/runs.%s"; env | grep "^JMAP_" | LC_ALL=C sort > "%s/%s.$n.env"; printf %%s "$JMAP_MAILBOX" > "%s/%s.$n.mailbox"; printf %%s "$JMAP_MAILBOXES" > "%s/%s.$n.mailboxes"; cat > "%s/%s.$n.stdin"; echo "%s $n" > "%s/hook.fifo"\n' \
		    "$T" "$name" "$T" "$name" "$T" "$name" "$T" "$name" "$T" "$name" "$T" "$name" "$name" "$T"
	} >>"$T/config"
}

# wait_runs "NAME N"...: the next runs reported are exactly these, in any
# order between hooks (each hook's own runs come in order).
wait_runs() {
	local got=() run want
	for want in "$@"; do
		read -r -t "$WAIT" run <&4 || fail "runs did not happen: $* (got ${got[*]:-none})"
		got+=("$run")
	done
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	run=$(printf '%s\n' "${got[@]}" | LC_ALL=C sort)
	[ "$run" = "$want" ] || fail "runs: got ${got[*]}, expected $*"
}

# mail_rounds: how many rounds of the mail view the daemon finished.
mail_rounds() {
	grep -c 'mail view of u1: round done' "$T/daemon.log" || true
}

# wait_round N: the mail view finished its round number N.
wait_round() {
	wait_log 'mail view of u1: round done' "$1"
}

# mail_calls: Mailbox/ and Email/ calls the server counted for u1.
mail_calls() {
	control status | sed -n 's/.*"mailCalls":{"u1":\([0-9]*\)}.*/\1/p'
}

# id_of JSON: the first email id of a /control/mail answer.
id_of() {
	printf '%s' "$1" | sed -n 's/.*"ids":\["\([^"]*\)".*/\1/p'
}
