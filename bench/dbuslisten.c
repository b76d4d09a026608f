/* SPDX-License-Identifier: ISC */
/*
 * jp-bench-dbus: sees the daemon's StateChanged signals on the session bus
 * (DBUS_SESSION_BUS_ADDRESS: the bench's private bus) and prints
 * "<seq> <sent ns> <seen ns>" for the stamp among the changed states, the
 * time taken as soon as sd-bus hands the signal over. Prints "ready" once
 * its match is installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "stamp.h"

static int
listen_signal(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	int64_t seen = stamp_now(), sent;
	const char *account, *id, *type, *state;
	uint64_t seq;
	int r;

	if (sd_bus_message_read(m, "ss", &account, &id) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "{ss}") < 0)
		return 0;
	while ((r = sd_bus_message_read(m, "{ss}", &type, &state)) > 0)
		if (stamp_parse(state, strlen(state), &seq, &sent)) {
			printf("%llu %lld %lld\n", (unsigned long long)seq,
			    (long long)sent, (long long)seen);
			fflush(stdout);
			break;
		}
	return 0;
}

int
main(void)
{
	sd_bus *bus = NULL;
	int r;

	if ((r = sd_bus_open_user(&bus)) < 0 ||
	    (r = sd_bus_add_match(bus, NULL, "type='signal',"
	    "interface='org.jmappushd.Pushd1',member='StateChanged'",
	    listen_signal, NULL)) < 0) {
		fprintf(stderr, "jp-bench-dbus: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if ((r = sd_bus_process(bus, NULL)) < 0)
			break;
		if (r > 0)
			continue;
		if ((r = sd_bus_wait(bus, UINT64_MAX)) < 0)
			break;
	}
	fprintf(stderr, "jp-bench-dbus: %s\n", strerror(-r));
	sd_bus_unref(bus);
	return 1;
}
