/* SPDX-License-Identifier: ISC */
/* The D-Bus signals as built (output/dbusmsg.h), read back from the
 * message: sd-bus makes messages only for a started bus, so the bus here
 * talks to a socketpair nobody answers, and nothing is sent. */
#include "autoconf.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "output/dbus.h"
#include "output/dbusmsg.h"
#include "output/outputs.h"
#include "unit.h"

static sd_bus *bus;
static int peer;

static void
bus_setup(void)
{
	int fds[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, fds), 0);
	ck_assert_int_ge(sd_bus_new(&bus), 0);
	ck_assert_int_ge(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
	ck_assert_int_ge(sd_bus_start(bus), 0);
	peer = fds[1];
}

static void
bus_teardown(void)
{
	sd_bus_close(bus);
	bus = sd_bus_unref(bus);
	close(peer);
}

/* Seals m as sending would, to read it from the start. */
static void
rewind_msg(sd_bus_message *m, const char *member, const char *signature)
{
	ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);
	ck_assert_int_ge(sd_bus_message_rewind(m, 1), 0);
	ck_assert_str_eq(sd_bus_message_get_path(m), DBUS_PATH);
	ck_assert_str_eq(sd_bus_message_get_interface(m), DBUS_IFACE);
	ck_assert_str_eq(sd_bus_message_get_member(m), member);
	ck_assert_str_eq(sd_bus_message_get_signature(m, 1), signature);
}

START_TEST(test_state)
{
	struct json_object *changed = json_object_new_object();
	struct push_event ev = {
		.account = "work", .account_id = "u1", .changed = changed,
		.push_state = NULL, .reason = "push",
	};
	const char *account, *id, *type, *state, *push_state, *reason;
	sd_bus_message *m;

	json_object_object_add(changed, "Email", json_object_new_string("e9"));
	json_object_object_add(changed, "Odd", json_object_new_int(5));
	json_object_object_add(changed, "Mailbox",
	    json_object_new_string("m2"));
	bus_setup();
	ck_assert_int_eq(dbusmsg_state(bus, &ev, &m), 0);
	rewind_msg(m, "StateChanged", "ssa{ss}ss");
	ck_assert_int_ge(sd_bus_message_read(m, "ss", &account, &id), 0);
	ck_assert_str_eq(account, "work");
	ck_assert_str_eq(id, "u1");
	/* The state that is not a string is left out. */
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "{ss}"), 0);
	ck_assert_int_gt(sd_bus_message_read(m, "{ss}", &type, &state), 0);
	ck_assert_str_eq(type, "Email");
	ck_assert_str_eq(state, "e9");
	ck_assert_int_gt(sd_bus_message_read(m, "{ss}", &type, &state), 0);
	ck_assert_str_eq(type, "Mailbox");
	ck_assert_str_eq(state, "m2");
	ck_assert_int_eq(sd_bus_message_read(m, "{ss}", &type, &state), 0);
	ck_assert_int_ge(sd_bus_message_exit_container(m), 0);
	ck_assert_int_ge(sd_bus_message_read(m, "ss", &push_state, &reason),
	    0);
	ck_assert_str_eq(push_state, "");
	ck_assert_str_eq(reason, "push");
	sd_bus_message_unref(m);

	/* No changed object: an empty dict; a pushState as it came. */
	ev.changed = NULL;
	ev.push_state = "p7";
	ev.reason = "resync";
	ck_assert_int_eq(dbusmsg_state(bus, &ev, &m), 0);
	rewind_msg(m, "StateChanged", "ssa{ss}ss");
	ck_assert_int_ge(sd_bus_message_skip(m, "ssa{ss}"), 0);
	ck_assert_int_ge(sd_bus_message_read(m, "ss", &push_state, &reason),
	    0);
	ck_assert_str_eq(push_state, "p7");
	ck_assert_str_eq(reason, "resync");
	sd_bus_message_unref(m);

	/* sd-bus refuses a string that is not UTF-8: no message. */
	ev.account_id = "u\xff";
	m = (sd_bus_message *)&ev;	/* *m is set on failure too */
	ck_assert_int_eq(dbusmsg_state(bus, &ev, &m), -EINVAL);
	ck_assert_ptr_null(m);
	json_object_put(changed);
	bus_teardown();
}
END_TEST

START_TEST(test_connection)
{
	const char *account, *status, *error;
	sd_bus_message *m;

	bus_setup();
	ck_assert_int_eq(dbusmsg_connection(bus, "work", "connected", NULL,
	    &m), 0);
	rewind_msg(m, "ConnectionChanged", "sss");
	ck_assert_int_ge(sd_bus_message_read(m, "sss", &account, &status,
	    &error), 0);
	ck_assert_str_eq(account, "work");
	ck_assert_str_eq(status, "connected");
	ck_assert_str_eq(error, "");
	sd_bus_message_unref(m);

	/* An error quoting a certificate's bytes is repaired, not refused. */
	ck_assert_int_eq(dbusmsg_connection(bus, "work", "backoff",
	    "TLS: CN=caf\xe9", &m), 0);
	rewind_msg(m, "ConnectionChanged", "sss");
	ck_assert_int_ge(sd_bus_message_read(m, "sss", &account, &status,
	    &error), 0);
	ck_assert_str_eq(status, "backoff");
	ck_assert_str_eq(error, "TLS: CN=caf\xef\xbf\xbd");
	sd_bus_message_unref(m);
	bus_teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dbus");
	TCase *tc = tcase_create("dbus");

	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_connection);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
