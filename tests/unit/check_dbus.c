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

#include "config/mailmatch.h"
#include "output/dbus.h"
#include "output/dbusmsg.h"
#include "output/outputs.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
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

/* Inbox (inbox, 3/10) and Work (1/4). */
static void
mail_cache(struct mailbox_cache *c)
{
	static const char *boxes[] = {
		"{\"id\":\"m2\",\"name\":\"Work\",\"parentId\":null,"
		"\"role\":null,\"totalEmails\":4,\"unreadEmails\":1}",
		"{\"id\":\"m1\",\"name\":\"Inbox\",\"parentId\":null,"
		"\"role\":\"inbox\",\"totalEmails\":10,\"unreadEmails\":3}",
	};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < 2; i++) {
		struct json_object *o = json_tokener_parse(boxes[i]);

		ck_assert(mailbox_update(c, o));
		json_object_put(o);
	}
	mailbox_cache_paths(c);
}

START_TEST(test_mail)
{
	static char *ids[] = { "m1" };
	static struct mailresult_addr from = { NULL, "ann@x.org" };
	static struct mailresult_box boxes[] = {
		{ "m1", "Inbox", "inbox", 3, 10, MAILMATCH_NEW, 1, 0, true },
		{ "m2", "Work", NULL, 1, 4, MAILMATCH_CHANGED, 0, 0, false },
	};
	static struct mailresult_new news[] = {
		{ "e1", "Inbox", ids, 1, &from, 1, "Hi", "2026-12-03T10:00:00Z",
		    "a@b", "t1", "pre" },
	};
	struct mailresult r = { boxes, 2, news, 1, 1, 0, 0, false };
	const char *s1, *s2, *s3, *s4, *s5, *s6;
	struct mailbox_cache c;
	uint32_t u1, u2;
	sd_bus_message *m;
	int64_t x;

	mail_cache(&c);
	bus_setup();
	ck_assert_int_eq(dbusmsg_mailboxes_changed(bus, "work", "u1", &r, &c,
	    &m), 0);
	rewind_msg(m, "MailboxesChanged", "ssa(sssuu)");
	ck_assert_int_ge(sd_bus_message_read(m, "ss", &s1, &s2), 0);
	ck_assert_str_eq(s1, "work");
	ck_assert_str_eq(s2, "u1");
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "(sssuu)"), 0);
	ck_assert_int_gt(sd_bus_message_read(m, "(sssuu)", &s1, &s2, &s3, &u1,
	    &u2), 0);
	ck_assert_str_eq(s1, "m1");
	ck_assert_str_eq(s2, "Inbox");
	ck_assert_str_eq(s3, "inbox");
	ck_assert_uint_eq(u1, 3);
	ck_assert_uint_eq(u2, 10);
	/* Work only had an event: its counts did not change. */
	ck_assert_int_eq(sd_bus_message_read(m, "(sssuu)", &s1, &s2, &s3, &u1,
	    &u2), 0);
	sd_bus_message_unref(m);

	/* The list changed: every mailbox, in path order. */
	r.list_changed = true;
	ck_assert_int_eq(dbusmsg_mailboxes_changed(bus, "work", "u1", &r, &c,
	    &m), 0);
	rewind_msg(m, "MailboxesChanged", "ssa(sssuu)");
	ck_assert_int_ge(sd_bus_message_skip(m, "ss"), 0);
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "(sssuu)"), 0);
	ck_assert_int_gt(sd_bus_message_read(m, "(sssuu)", &s1, &s2, &s3, &u1,
	    &u2), 0);
	ck_assert_str_eq(s2, "Inbox");
	ck_assert_int_gt(sd_bus_message_read(m, "(sssuu)", &s1, &s2, &s3, &u1,
	    &u2), 0);
	ck_assert_str_eq(s1, "m2");
	ck_assert_str_eq(s2, "Work");
	ck_assert_str_eq(s3, "");
	ck_assert_uint_eq(u1, 1);
	ck_assert_uint_eq(u2, 4);
	sd_bus_message_unref(m);
	r.list_changed = false;
	boxes[0].props_changed = false;
	ck_assert_int_eq(dbusmsg_mailboxes_changed(bus, "work", "u1", &r, &c,
	    &m), 0);
	ck_assert_ptr_null(m);

	ck_assert_int_eq(dbusmsg_new_mail(bus, "work", "u1", &r, &c, &m), 0);
	rewind_msg(m, "NewMail", "ssa(ssssssx)");
	ck_assert_int_ge(sd_bus_message_skip(m, "ss"), 0);
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "(ssssssx)"),
	    0);
	ck_assert_int_gt(sd_bus_message_read(m, "(ssssssx)", &s1, &s2, &s3,
	    &s4, &s5, &s6, &x), 0);
	ck_assert_str_eq(s1, "e1");
	ck_assert_str_eq(s2, "Inbox");
	ck_assert_str_eq(s3, "");
	ck_assert_str_eq(s4, "ann@x.org");
	ck_assert_str_eq(s5, "Hi");
	ck_assert_str_eq(s6, "t1");
	ck_assert_int_eq(x, 1796292000);
	ck_assert_int_eq(sd_bus_message_read(m, "(ssssssx)", &s1, &s2, &s3,
	    &s4, &s5, &s6, &x), 0);
	sd_bus_message_unref(m);
	r.nnews = 0;
	r.new_count = 0;
	boxes[0].events = MAILMATCH_CHANGED;
	ck_assert_int_eq(dbusmsg_new_mail(bus, "work", "u1", &r, &c, &m), 0);
	ck_assert_ptr_null(m);

	ck_assert_int_ge(sd_bus_message_new_method_call(bus, &m, DBUS_NAME,
	    DBUS_PATH, DBUS_IFACE, "X"), 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'a', "(ssssuu)"), 0);
	ck_assert_int_eq(dbusmsg_append_mailboxes(m, "u9", &c), 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);
	ck_assert_int_ge(sd_bus_message_rewind(m, 1), 0);
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "(ssssuu)"),
	    0);
	ck_assert_int_gt(sd_bus_message_read(m, "(ssssuu)", &s1, &s2, &s3,
	    &s4, &u1, &u2), 0);
	ck_assert_str_eq(s1, "u9");
	ck_assert_str_eq(s2, "m1");
	ck_assert_str_eq(s3, "Inbox");
	ck_assert_str_eq(s4, "inbox");
	sd_bus_message_unref(m);
	bus_teardown();
	mailbox_cache_clear(&c);

	ck_assert_int_eq(dbusmsg_unix_time("1970-01-01T00:01:00Z"), 60);
	ck_assert_int_eq(dbusmsg_unix_time("1970-01-01T01:01:00.25+01:00"),
	    60);
	ck_assert_int_eq(dbusmsg_unix_time("1970-01-01T00:00:00-00:02"), 120);
	ck_assert_int_eq(dbusmsg_unix_time("1970-01-01 00:01:00Z"), 0);
	ck_assert_int_eq(dbusmsg_unix_time("1970-01-01T00:01:00"), 0);
	ck_assert_int_eq(dbusmsg_unix_time(NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dbus");
	TCase *tc = tcase_create("dbus");

	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_connection);
	tcase_add_test(tc, test_mail);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
