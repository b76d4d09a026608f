/* SPDX-License-Identifier: ISC */
/* The keys of the outputs that leave the machine: [webhook NAME] and
 * [mqtt] (keysremote.c). */
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

/* [webhook NAME]: defaults, the keys it shares, and every refusal
 * --check-config reports (plain http to another machine, a headers_file
 * that is not private or sets a header of ours). */
START_TEST(test_webhook)
{
	char dir[] = "/tmp/jp-check-config-XXXXXX", hf[128], text[1024];
	const struct config_webhook *w;
	struct config *cfg;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(hf, sizeof(hf), "%s/headers", dir);
	f = fopen(hf, "w");
	fputs("Authorization: Bearer t0k\n\n# c\nX-Other:  v 1\n", f);
	fclose(f);
	chmod(hf, 0600);
	snprintf(text, sizeof(text), ACCOUNT "[daemon]\nbackoff_max = 2m\n"
	    "[webhook w]\nurl = http://127.0.0.1:8080/h\n"
	    "secret_command = pass w\nheaders_file = %s\n"
	    "[webhook v]\nurl = https://hooks.example.com/x\n"
	    "secret_file = /run/k\naccounts = a\ntypes = Email\n"
	    "events = state, mail\ntimeout = 3s\nqueue = 50\n"
	    "backoff_initial = 2s\n", hf);
	cfg = load_ok(text);
	w = TAILQ_FIRST(&cfg->webhooks);
	ck_assert_str_eq(w->name, "w");
	ck_assert_str_eq(w->url, "http://127.0.0.1:8080/h");
	ck_assert_int_eq(w->secret_kind, WEBHOOK_SECRET_COMMAND);
	ck_assert_str_eq(w->secret, "pass w");
	ck_assert_str_eq(w->headers[0], "authorization:");
	ck_assert_str_eq(w->headers[1], "Bearer t0k");
	ck_assert_str_eq(w->headers[2], "x-other:");
	ck_assert_str_eq(w->headers[3], "v 1");
	ck_assert_ptr_null(w->headers[4]);
	ck_assert_uint_eq(w->events, CONFIG_WEBHOOK_EV_ALL);
	ck_assert_ptr_null(w->accounts);
	ck_assert_uint_eq(w->timeout_ms, 10000);
	ck_assert_uint_eq(w->queue, 10000);
	ck_assert_uint_eq(w->backoff_initial_ms, 1000);
	ck_assert_uint_eq(w->backoff_max_ms, 120000);
	w = TAILQ_NEXT(w, entry);
	ck_assert_str_eq(w->name, "v");
	ck_assert_int_eq(w->secret_kind, WEBHOOK_SECRET_FILE);
	ck_assert_str_eq(w->secret, "/run/k");
	ck_assert_ptr_null(w->headers);
	ck_assert_str_eq(w->accounts[0], "a");
	ck_assert_str_eq(w->types[0], "Email");
	ck_assert_uint_eq(w->events, CONFIG_WEBHOOK_EV_STATE |
	    CONFIG_WEBHOOK_EV_MAIL);
	ck_assert_uint_eq(w->timeout_ms, 3000);
	ck_assert_uint_eq(w->queue, 50);
	ck_assert_uint_eq(w->backoff_initial_ms, 2000);
	config_unref(cfg);
	config_errors_clear(&errs);

	/* Loopback in its forms is fine over http; anything else needs
	 * insecure. */
	cfg = load_ok(ACCOUNT "[webhook a]\nurl = http://localhost/\n"
	    "secret_file = /k\n[webhook b]\nurl = http://[::1]:9/\n"
	    "secret_file = /k\n[webhook c]\nurl = http://10.0.0.1/\n"
	    "secret_file = /k\ninsecure = yes\n");
	config_unref(cfg);
	expect_error(ACCOUNT "[webhook a]\nurl = http://hooks.example.com/\n"
	    "secret_file = /k\n", "test.conf:4: [webhook a]: url "
	    "http://hooks.example.com/ would send the events unencrypted to "
	    "another machine: use https://, or insecure = yes if that is "
	    "really meant");
	expect_error(ACCOUNT "[webhook a]\nurl = http://127.0.0.1.evil.com/\n"
	    "secret_file = /k\n", "test.conf:4: [webhook a]: url "
	    "http://127.0.0.1.evil.com/ would send the events unencrypted to "
	    "another machine: use https://, or insecure = yes if that is "
	    "really meant");
	expect_error(ACCOUNT "[webhook a]\nurl = https://u:p@h/\n"
	    "secret_file = /k\n", "test.conf:4: [webhook a]: credentials in "
	    "url are not supported: put an Authorization header in "
	    "headers_file");
	expect_error(ACCOUNT "[webhook a]\nurl = ftp://h/\nsecret_file = /k\n",
	    "test.conf:4: [webhook a]: url must start with https:// (or "
	    "http:// for a receiver on this machine)");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\n",
	    "test.conf:3: [webhook a] needs secret_file = or secret_command = "
	    "(the key every POST is signed with)");
	expect_error(ACCOUNT "[webhook a]\nsecret_file = /k\n",
	    "test.conf:3: [webhook a] needs url = (the receiver, "
	    "https://HOST/PATH)");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "secret_command = x\n", "test.conf:6: [webhook a] has both "
	    "secret_file and secret_command: keep only one");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "events = state new\n", "test.conf:6: [webhook a]: unknown event "
	    "'new': use state, connection, mailbox or mail");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "accounts = b\n", "test.conf:6: [webhook a] names account 'b' but "
	    "there is no [account b]: fix the name or add the account");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "queue = 0\n", "test.conf:6: invalid queue '0': use a number of "
	    "events from 1 to 10000000");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "secret_flie = /p\n", "test.conf:6: unknown key 'secret_flie' "
	    "in [webhook a]; did you mean 'secret_file'?");
	expect_error(ACCOUNT "[webhook a]\nurl = https://h/\nsecret_file = /k\n"
	    "password_file = /p\n", "test.conf:6: unknown key 'password_file' "
	    "in [webhook a]: remove it");

	/* headers_file: private, 'Name: value', none of ours. */
	f = fopen(hf, "w");
	fputs("Authorization: Bearer t0k\nContent-Type: text/plain\n"
	    "no colon here\nX-Jmap-Pushd-Delivery: 1\nhost: x\n", f);
	fclose(f);
	snprintf(text, sizeof(text), ACCOUNT "[webhook a]\nurl = https://h/\n"
	    "secret_file = /k\nheaders_file = %s\n", hf);
	{
		char e1[256], e2[256], e3[256], e4[256];
		const char *want[] = { e1, e2, e3, e4, NULL };

		snprintf(e1, sizeof(e1), "test.conf:6: [webhook a]: "
		    "headers_file %s line 2: jmap-pushd sets Content-Type "
		    "itself; remove the line", hf);
		snprintf(e2, sizeof(e2), "test.conf:6: [webhook a]: "
		    "headers_file %s line 3 is not 'Name: value'", hf);
		snprintf(e3, sizeof(e3), "test.conf:6: [webhook a]: "
		    "headers_file %s line 4: jmap-pushd sets "
		    "X-Jmap-Pushd-Delivery itself; remove the line", hf);
		snprintf(e4, sizeof(e4), "test.conf:6: [webhook a]: "
		    "headers_file %s line 5: jmap-pushd sets host itself; "
		    "remove the line", hf);
		expect_errors(text, want);
	}
	chmod(hf, 0640);
	{
		char e1[512];

		snprintf(e1, sizeof(e1), "test.conf:6: [webhook a]: "
		    "headers_file %s is readable by group or others; run "
		    "chmod 600 %s", hf, hf);
		expect_error(text, e1);
	}
	unlink(hf);
	rmdir(dir);
}
END_TEST

START_TEST(test_mqtt)
{
	struct config *cfg;
	static const char *const bad[] = {
		"test.conf:4: broker 'mqtt://u:p@h' holds credentials: remove "
		    "them and use username and password_file or "
		    "password_command in [mqtt]",
		"test.conf:5: invalid qos '3': use 0, 1 or 2",
		"test.conf:6: invalid keepalive '2s': use whole seconds from 5s "
		    "to 18h, such as 60s",
		"test.conf:7: invalid topic_prefix 'a/#': use topic levels "
		    "without + or # and without a leading or trailing /, such "
		    "as home/mail",
		"test.conf:8: [mqtt] has a password but no username: add "
		    "username = (your login at the broker)",
		"test.conf:9: [mqtt] names account 'b' but there is no "
		    "[account b]: fix the name or add the account",
		"test.conf:10: invalid queue '0': use a number of events from 1 "
		    "to 10000000",
		"test.conf:11: unknown key 'url' in [mqtt]: remove it",
		NULL
	};

	cfg = load_ok(ACCOUNT);
	ck_assert_ptr_null(cfg->mqtt);
	config_free(cfg);

	cfg = load_ok(ACCOUNT "[mqtt]\nbroker = mqtt://localhost\n");
	ck_assert_str_eq(cfg->mqtt->host, "localhost");
	ck_assert_uint_eq(cfg->mqtt->port, 1883);
	ck_assert(!cfg->mqtt->tls);
	ck_assert_str_eq(cfg->mqtt->topic_prefix, "jmap-pushd");
	ck_assert_ptr_null(cfg->mqtt->client_id);
	ck_assert_int_eq(cfg->mqtt->qos, 1);
	ck_assert_uint_eq(cfg->mqtt->keepalive_ms, 60000);
	ck_assert_uint_eq(cfg->mqtt->queue, 10000);
	ck_assert(!cfg->mqtt->ha_discovery);
	ck_assert_ptr_null(cfg->mqtt->accounts);
	config_free(cfg);

	cfg = load_ok(ACCOUNT "[mqtt]\nbroker = mqtts://[::1]:8884/\n"
	    "username = u\npassword_file = /p\nqos = 0\nkeepalive = 2m\n"
	    "topic_prefix = home/mail\nqueue = 5\nclient_id = me\n"
	    "homeassistant_discovery = yes\naccounts = a\n"
	    "backoff_initial = 2s\nbackoff_max = 10s\n");
	ck_assert_str_eq(cfg->mqtt->host, "::1");
	ck_assert_uint_eq(cfg->mqtt->port, 8884);
	ck_assert(cfg->mqtt->tls);
	ck_assert_int_eq(cfg->mqtt->secret_kind, SECRET_PASSWORD_FILE);
	ck_assert_str_eq(cfg->mqtt->secret, "/p");
	ck_assert_int_eq(cfg->mqtt->qos, 0);
	ck_assert_uint_eq(cfg->mqtt->keepalive_ms, 120000);
	ck_assert_str_eq(cfg->mqtt->topic_prefix, "home/mail");
	ck_assert_uint_eq(cfg->mqtt->queue, 5);
	ck_assert_str_eq(cfg->mqtt->client_id, "me");
	ck_assert(cfg->mqtt->ha_discovery);
	ck_assert_uint_eq(cfg->mqtt->naccounts, 1);
	ck_assert_uint_eq(cfg->mqtt->backoff_initial_ms, 2000);
	ck_assert_uint_eq(cfg->mqtt->backoff_max_ms, 10000);
	config_free(cfg);

	expect_error(ACCOUNT "[mqtt]\n",
	    "test.conf:3: [mqtt] needs broker = (such as mqtt://localhost or "
	    "mqtts://broker.example:8883)");
	expect_error(ACCOUNT "[mqtt]\nbroker = http://h\n",
	    "test.conf:4: invalid broker 'http://h': use mqtt://HOST[:PORT] "
	    "or mqtts://HOST[:PORT]");
	expect_error(ACCOUNT "[mqtt]\nbroker = mqtt://h:0\n",
	    "test.conf:4: invalid port in broker 'mqtt://h:0': use 1 to 65535");
	expect_error(ACCOUNT "[mqtt]\nbroker = mqtt://h/x\n",
	    "test.conf:4: invalid broker 'mqtt://h/x': nothing may follow the "
	    "host and port");
	expect_error(ACCOUNT "[mqtt]\nbroker = mqtt://h\n[mqtt]\n",
	    "test.conf:5: second [mqtt] section: merge it into the one on "
	    "line 3");
	expect_errors(ACCOUNT "[mqtt]\nbroker = mqtt://u:p@h\nqos = 3\n"
	    "keepalive = 2s\ntopic_prefix = a/#\npassword_command = x\n"
	    "accounts = b\nqueue = 0\nurl = x\n", bad);
}
END_TEST

static Suite *
keysremote_suite(void)
{
	Suite	*s = suite_create("keysremote");
	TCase	*tc = tcase_create("keysremote");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_webhook);
	tcase_add_test(tc, test_mqtt);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(keysremote_suite());
}
