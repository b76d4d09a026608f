# SPDX-License-Identifier: ISC
# Webhooks for the integration tests, sourced after lib.sh: the receiver
# (webhook-receiver.py, on loopback) and a [webhook rx] section for it.
# What it received is in $T/rx.log, one line per request:
# "ID STATUS SIG AUTH BODY" (see the receiver); what it will answer is
# planned in $T/rx.plan.

command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
RECEIVER="$top_srcdir/tests/integration/webhook-receiver.py"
RX_PID=

# receiver_start [ARGS]: starts the receiver (again on $RPORT when set)
# and learns its port.
receiver_start() {
	rm -f "$T/rx.port"
	mkfifo "$T/rx.port"
	python3 "$RECEIVER" --port-file "$T/rx.port" --port "${RPORT:-0}" \
	    --secret whsecret --log "$T/rx.log" --plan "$T/rx.plan" "$@" \
	    2>>"$T/receiver.log" &
	RX_PID=$!
	exec 5<"$T/rx.port"
	read -r -t "$WAIT" RPORT <&5 || fail "webhook receiver did not start"
	exec 5<&-
}

receiver_stop() {
	kill -TERM "$RX_PID"
	wait "$RX_PID" 2>/dev/null || true
	RX_PID=
}

# add_webhook URL [EXTRA]: the [webhook rx] section, signing with the
# receiver's key; EXTRA goes into the section.
add_webhook() {
	printf 'whsecret\n' >"$T/whkey"
	chmod 600 "$T/whkey"
	cat >>"$T/config" <<CONF

[webhook rx]
url = $1
secret_file = $T/whkey
${2:-}
CONF
}

# wait_received N: the receiver has answered N requests.
wait_received() {
	touch "$T/rx.log"
	rm -f "$T/rx.fifo"
	mkfifo "$T/rx.fifo"
	tail -n +1 -f "$T/rx.log" >"$T/rx.fifo" &
	rx_tail=$!
	rc=0
	timeout "$WAIT" grep -m "$1" '' <"$T/rx.fifo" >"$T/rx.match" || rc=$?
	kill "$rx_tail" 2>/dev/null || true
	wait "$rx_tail" 2>/dev/null || true
	[ $rc -eq 0 ] || fail "the receiver did not get $1 requests: $(cat "$T/rx.log")"
}

# received N FIELD: field FIELD (1 id, 2 status, 3 signature, 4
# Authorization, 5 body) of request N.
received() {
	sed -n "${1}p" "$T/rx.log" | cut -d' ' -f"$2"
}

# received_body N: the body of request N (which has blanks).
received_body() {
	sed -n "${1}p" "$T/rx.log" | cut -d' ' -f5-
}
