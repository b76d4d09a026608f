/* SPDX-License-Identifier: ISC */
/* The keys of the local outputs: [hook NAME] and [notify], with the
 * socket and D-Bus keys (keysout.c). */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "config/config.h"
#include "config/values.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "configtest.h"
#include "unit.h"

START_TEST(test_hook_defaults)
{
	struct config			*cfg;
	const struct config_hook	*h;

	cfg = load_ok(ACCOUNT "[hook h]\ncommand = true\n");
	h = TAILQ_FIRST(&cfg->hooks);
	ck_assert_ptr_null(h->account);
	ck_assert_ptr_null(h->types);
	ck_assert_uint_eq(h->ntypes, 0);
	ck_assert_str_eq(h->command, "true");
	ck_assert_ptr_null(h->argv);
	ck_assert_uint_eq(h->debounce_ms, 1000);
	ck_assert_uint_eq(h->max_delay_ms, 30000);
	ck_assert_uint_eq(h->timeout_ms, 600000);
	ck_assert(!h->on_start);
	ck_assert_uint_eq(cfg->socket_mode, 0600);
	ck_assert_uint_eq(cfg->socket_queue, 256 * 1024);
	ck_assert_uint_eq(cfg->socket_stall_ms, 30000);
	ck_assert_ptr_null(cfg->socket_group);
	ck_assert_uint_eq(cfg->max_clients, 64);
	config_free(cfg);
}
END_TEST

START_TEST(test_hook_and_socket_keys)
{
	struct config			*cfg;
	const struct config_hook	*h;

	cfg = load_ok("[daemon]\nsocket = /run/x.sock\nsocket_mode = 0660\n"
	    "socket_group = mail\nsocket_queue = 64k\nsocket_stall = 2s\n"
	    ACCOUNT
	    "[hook h]\nexec = /bin/echo 'a b' c\ndebounce = 0\n"
	    "max_delay = 5s\ntimeout = 0\non_start = yes\n");
	ck_assert_str_eq(cfg->socket_path, "/run/x.sock");
	ck_assert_uint_eq(cfg->socket_mode, 0660);
	ck_assert_str_eq(cfg->socket_group, "mail");
	ck_assert_uint_eq(cfg->socket_queue, 64 * 1024);
	ck_assert_uint_eq(cfg->socket_stall_ms, 2000);
	h = TAILQ_FIRST(&cfg->hooks);
	ck_assert_ptr_null(h->command);
	ck_assert_str_eq(h->argv[0], "/bin/echo");
	ck_assert_str_eq(h->argv[1], "a b");
	ck_assert_str_eq(h->argv[2], "c");
	ck_assert_ptr_null(h->argv[3]);
	ck_assert_uint_eq(h->debounce_ms, 0);
	ck_assert_uint_eq(h->max_delay_ms, 5000);
	ck_assert_uint_eq(h->timeout_ms, 0);
	ck_assert(h->on_start);
	config_free(cfg);

	cfg = load_ok("[daemon]\nsocket = none\n" ACCOUNT);
	ck_assert(cfg->socket_set);
	ck_assert_ptr_null(cfg->socket_path);
	config_free(cfg);

	/* A group lets its members in unless socket_mode says otherwise. */
	cfg = load_ok("[daemon]\nsocket_group = mail\nmax_clients = 1\n"
	    ACCOUNT);
	ck_assert_uint_eq(cfg->socket_mode, 0660);
	ck_assert_uint_eq(cfg->max_clients, 1);
	config_free(cfg);
	cfg = load_ok("[daemon]\nsocket_group = mail\nsocket_mode = 0600\n"
	    "max_clients = 10000\n" ACCOUNT);
	ck_assert_uint_eq(cfg->socket_mode, 0600);
	ck_assert_uint_eq(cfg->max_clients, 10000);
	config_free(cfg);
	expect_error("[daemon]\nsocket_stall = 500ms\n" ACCOUNT,
	    "test.conf:2: invalid socket_stall '500ms': use a duration of at "
	    "least 1s, such as 30s");
	expect_error("[daemon]\nsocket_stall = soon\n" ACCOUNT,
	    "test.conf:2: invalid socket_stall 'soon': use a duration of at "
	    "least 1s, such as 30s");
	expect_errors("[daemon]\nmax_clients = 0\n" ACCOUNT,
	    (const char *const[]){
	    "test.conf:2: invalid max_clients '0': use a number from 1 to "
	    "10000", NULL });
	expect_errors("[daemon]\nmax_clients = 10001\n" ACCOUNT,
	    (const char *const[]){
	    "test.conf:2: invalid max_clients '10001': use a number from 1 to "
	    "10000", NULL });
	expect_errors("[daemon]\nmax_clients = 5x\n" ACCOUNT,
	    (const char *const[]){
	    "test.conf:2: invalid max_clients '5x': use a number from 1 to "
	    "10000", NULL });

	expect_errors("[daemon]\nsocket_mode = 0644x\nsocket_queue = 1k\n"
	    ACCOUNT "[hook h]\ncommand = a\nexec = b\ndebounce = 1m\n"
	    "[hook i]\nexec = 'open\n",
	    (const char *const[]){
	    "test.conf:2: invalid socket_mode '0644x': use octal permissions "
	    "that let the owner read and write, such as 0600 or 0660",
	    "test.conf:3: invalid socket_queue '1k': use a size of at least "
	    "4k, such as 256k",
	    "test.conf:8: [hook h] has both command and exec: keep only one",
	    "test.conf:9: [hook h]: max_delay is shorter than debounce: raise "
	    "max_delay or lower debounce",
	    "test.conf:11: invalid exec: unterminated ' quote: close it",
	    NULL });
}
END_TEST

START_TEST(test_hook_account)
{
	struct config *cfg;

	expect_error(ACCOUNT "[hook sync]\ncommand = x\naccount = work\n",
	    "test.conf:5: [hook sync] names account 'work' but there is no "
	    "[account work]: fix the name or add the account");
	/* The account may come after the hook. */
	cfg = load_ok("[hook sync]\ncommand = x\naccount = work\n"
	    "[account work]\nurl = x\n");
	ck_assert_str_eq(TAILQ_FIRST(&cfg->hooks)->account, "work");
	config_free(cfg);
}
END_TEST

START_TEST(test_notify_dbus)
{
	struct config *cfg;
	static const char *const bad[] = {
		"test.conf:2: invalid dbus 'sesion': use session, system or none",
		"test.conf:6: [notify] names account 'b' but there is no "
		    "[account b]: fix the name or add the account",
		"test.conf:7: invalid max_per_burst '0': use a number from 1 to "
		    "100",
		"test.conf:8: invalid urgency 'high': use low, normal or "
		    "critical",
		"test.conf:9: invalid timeout 'soon' in [notify]: use default, "
		    "never or a duration such as 10s",
		"test.conf:10: unknown key 'colour' in [notify]: remove it",
		"test.conf:11: second [notify] section: merge it into the one "
		    "on line 5",
		NULL
	};

	cfg = load_ok(ACCOUNT);
	ck_assert_int_eq(cfg->dbus, CONFIG_DBUS_AUTO);
	ck_assert(!cfg->notify.enabled);
	ck_assert_uint_eq(cfg->notify.nmailboxes, 1);
	ck_assert_str_eq(cfg->notify.mailboxes[0], "inbox");
	config_free(cfg);

	cfg = load_ok("[daemon]\ndbus = system\n" ACCOUNT "[notify]\n"
	    "accounts = a\nmailboxes = inbox , Lists/jmap,Sent Items\n"
	    "max_per_burst = 5\nurgency = critical\ntimeout = 10s\n"
	    "[hook h]\ncommand = true\ntimeout = 1m\n");
	ck_assert_int_eq(cfg->dbus, CONFIG_DBUS_SYSTEM);
	ck_assert(cfg->notify.enabled);
	ck_assert_uint_eq(cfg->notify.naccounts, 1);
	ck_assert_uint_eq(cfg->notify.nmailboxes, 3);
	ck_assert_str_eq(cfg->notify.mailboxes[1], "Lists/jmap");
	ck_assert_str_eq(cfg->notify.mailboxes[2], "Sent Items");
	ck_assert_uint_eq(cfg->notify.max_per_burst, 5);
	ck_assert_int_eq(cfg->notify.urgency, URGENCY_CRITICAL);
	ck_assert_int_eq(cfg->notify.timeout_ms, 10000);
	config_free(cfg);

	cfg = load_ok(ACCOUNT "[notify]\nenabled = no\ntimeout = never\n");
	ck_assert(!cfg->notify.enabled);
	ck_assert_int_eq(cfg->notify.timeout_ms, 0);
	config_free(cfg);

	expect_errors("[daemon]\ndbus = sesion\n" ACCOUNT "[notify]\n"
	    "accounts = a b\nmax_per_burst = 0\nurgency = high\n"
	    "timeout = soon\ncolour = red\n[notify]\n", bad);
	expect_error(ACCOUNT "[notfy]\n", "test.conf:3: unknown section "
	    "[notfy]; did you mean [notify]?");
}
END_TEST

/* [notify] actions: the default follows open_command; an unknown action,
 * open without anything to open, and both open keys are errors. */
START_TEST(test_notify_actions)
{
	struct config *cfg;
	static const char *const bad[] = {
		"test.conf:4: unknown action 'star' in [notify]: use open, "
		    "mark-read, archive or trash",
		"test.conf:4: the action open needs open_command or open_exec "
		    "in [notify]",
		NULL
	};

	cfg = load_ok(ACCOUNT "[notify]\n");
	ck_assert_uint_eq(cfg->notify.nactions, 1);
	ck_assert_int_eq(cfg->notify.actions[0], NOTIFY_ACTION_MARK_READ);
	config_free(cfg);
	cfg = load_ok(ACCOUNT "[notify]\nopen_exec = foot aerc\n");
	ck_assert_str_eq(cfg->notify.open_argv[1], "aerc");
	ck_assert_uint_eq(cfg->notify.nactions, 2);
	ck_assert_int_eq(cfg->notify.actions[0], NOTIFY_ACTION_OPEN);
	ck_assert_int_eq(cfg->notify.actions[1], NOTIFY_ACTION_MARK_READ);
	config_free(cfg);
	cfg = load_ok(ACCOUNT "[notify]\nopen_command = aerc\n"
	    "actions = trash archive,trash\n");
	ck_assert_str_eq(cfg->notify.open_command, "aerc");
	ck_assert_uint_eq(cfg->notify.nactions, 2);
	ck_assert_int_eq(cfg->notify.actions[0], NOTIFY_ACTION_TRASH);
	ck_assert_int_eq(cfg->notify.actions[1], NOTIFY_ACTION_ARCHIVE);
	config_free(cfg);
	expect_errors(ACCOUNT "[notify]\nactions = star, open\n", bad);
	expect_error(ACCOUNT "[notify]\nopen_command = a\nopen_exec = b\n",
	    "test.conf:5: [notify] has both open_command and open_exec: keep "
	    "only one");
}
END_TEST

static Suite *
keysout_suite(void)
{
	Suite	*s = suite_create("keysout");
	TCase	*tc = tcase_create("keysout");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_notify_actions);
	tcase_add_test(tc, test_hook_and_socket_keys);
	tcase_add_test(tc, test_hook_defaults);
	tcase_add_test(tc, test_hook_account);
	tcase_add_test(tc, test_notify_dbus);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(keysout_suite());
}
