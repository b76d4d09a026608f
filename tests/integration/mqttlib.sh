# SPDX-License-Identifier: ISC
# For the MQTT tests, after lib.sh: a private mosquitto broker on a free
# loopback port, and subscribers that print "TOPIC RETAIN QOS PAYLOAD".

command -v mosquitto >/dev/null && command -v mosquitto_sub >/dev/null ||
    { echo "SKIP: mosquitto and mosquitto-clients are needed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
BROKER_PID=

# free_port: a loopback TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# broker_conf [LINES...]: the broker's config: one listener on MQTT_PORT
# (chosen here unless set), sessions and retained messages kept across a
# restart, and each LINE.
broker_conf() {
	: "${MQTT_PORT:=$(free_port)}"
	mkdir -p "$T/broker"
	{
		printf 'listener %s 127.0.0.1\n' "$MQTT_PORT"
		printf 'persistence true\npersistence_location %s/broker/\n' "$T"
		printf 'log_dest stderr\nlog_type all\nuser %s\n' "$(id -un)"
		printf '%s\n' "$@"
	} >"$T/broker.conf"
}

# wait_broker_log PATTERN [COUNT]: the broker's log holds COUNT (1) lines
# matching PATTERN.
wait_broker_log() {
	rm -f "$T/blog.fifo"
	mkfifo "$T/blog.fifo"
	tail -n +1 -f "$T/broker.log" >"$T/blog.fifo" &
	local tail_pid=$! rc=0
	# Not >/dev/null: GNU grep then ignores -m (see wait_log).
	timeout "$WAIT" grep -m "${2:-1}" -- "$1" <"$T/blog.fifo" >"$T/blog.match" || rc=$?
	kill "$tail_pid" 2>/dev/null || true
	wait "$tail_pid" 2>/dev/null || true
	[ $rc -eq 0 ] || fail "broker log did not show ${2:-1} x: $1"
}

# broker_start: starts mosquitto with $T/broker.conf and waits until it
# runs (its log says so).
broker_start() {
	local n
	n=$(grep -c ' running$' "$T/broker.log" 2>/dev/null || true)
	mosquitto -c "$T/broker.conf" 2>>"$T/broker.log" &
	BROKER_PID=$!
	wait_broker_log ' running$' $((n + 1))
}

# broker_stop: SIGTERM (it saves its sessions) and waits for the end.
broker_stop() {
	kill -TERM "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
}

# lib.sh's cleanup, the broker first; cleanup reads the test's status
# from $?.
mqtt_cleanup() {
	local st=$?
	# Without set -e, (exit 1) would end the trap here, before cleanup.
	set +e
	[ -z "$BROKER_PID" ] || kill -TERM "$BROKER_PID" 2>/dev/null
	(exit $st)
	cleanup
}
trap mqtt_cleanup EXIT

# sub ARGS...: mosquitto_sub on the broker, MQTT 5 so that the retain
# flag shows as published, printing "TOPIC RETAIN QOS PAYLOAD"; SUB_AUTH
# holds its -u and -P when the broker wants them.  In the foreground or a
# pipeline only: a function sent to the background is a subshell, which
# lib.sh's cleanup would kill without its mosquitto_sub (use sub_bg).
sub() {
	# shellcheck disable=SC2086
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" ${SUB_AUTH:-} -V 5 --retain-as-published \
	    -F '%t %r %q %p' "$@"
}

# sub_bg FILE ARGS...: sub in the background, its output to FILE; the
# job is mosquitto_sub itself.
sub_bg() {
	local out=$1
	shift
	# shellcheck disable=SC2086
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" ${SUB_AUTH:-} -V 5 --retain-as-published \
	    -F '%t %r %q %p' "$@" >"$out" &
}

# live_sub ID FD TOPIC...: a subscriber (client id ID) of what is
# published from now on (MQTT 3.1.1, -R: retained messages it finds are
# left out), its lines on file descriptor FD; returns once subscribed.
live_sub() {
	local id=$1 fd=$2 args=()
	shift 2
	for t in "$@"; do args+=(-t "$t"); done
	mkfifo "$T/$id.fifo"
	# shellcheck disable=SC2086
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" ${SUB_AUTH:-} -i "$id" -q 1 -R \
	    -F '%t %r %q %p' "${args[@]}" >"$T/$id.fifo" &
	eval "exec $fd<\"\$T/\$id.fifo\""
	wait_broker_log "Received SUBSCRIBE from $id"
}

# read_lines FD N: the next N lines on FD.
read_lines() {
	for _ in $(seq "$2"); do
		read -r -t "$WAIT" l <&"$1" || fail "fd $1: no MQTT message"
		echo "$l"
	done
}

# retained TOPIC: what the broker keeps for that topic filter, one line
# each, sorted; waits until COUNT (default 1) lines came.
retained() {
	sub -q 1 -t "$1" -C "${2:-1}" -W "$WAIT" --retained-only | LC_ALL=C sort
}

# mqtt_section [LINES...]: appends [mqtt] for the broker to $T/config.
mqtt_section() {
	{
		printf '\n[mqtt]\nbroker = mqtt://127.0.0.1:%s\nclient_id = test-client\n' "$MQTT_PORT"
		printf '%s\n' "$@"
	} >>"$T/config"
}

# all_retained: every retained message the broker holds, one line each,
# sorted.  A new subscriber of '#' gets them all as it subscribes, before
# anything published later, so it stops (--retained-only) at a message
# published after the broker logged its SUBSCRIBE.
ALL_N=0
all_retained() {
	local id pid
	ALL_N=$((ALL_N + 1))
	id=all$ALL_N
	# shellcheck disable=SC2086
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" ${SUB_AUTH:-} -i "$id" -V 5 \
	    --retain-as-published --retained-only -q 1 -W "$WAIT" \
	    -F '%t %r %q %p' -t '#' >"$T/$id.out" &
	pid=$!
	wait_broker_log "Received SUBSCRIBE from $id"
	# shellcheck disable=SC2086
	mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" ${SUB_AUTH:-} -q 1 \
	    -t test/end -m end
	wait "$pid" || fail "$id: no end of the retained messages"
	LC_ALL=C sort "$T/$id.out"
}
