/* SPDX-License-Identifier: ISC */
/* The keys of [daemon] and [account NAME]: every key, the defaults and
 * the checks of each value (keys.c). */
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

START_TEST(test_every_key)
{
	struct config			*cfg;
	const struct config_account	*a;
	const struct config_hook	*h;

	cfg = load_ok(
	    "[daemon]\n"
	    "state_dir = /var/lib/jp\n"
	    "log_level = debug\n"
	    "transport = websocket\n"
	    "ping_interval = 45s\n"
	    "ping_timeout = 5s\n"
	    "backoff_initial = 2s\n"
	    "backoff_max = 10m\n"
	    "backoff_reset = 2m\n"
	    "sync_on_start = yes\n"
	    "resync_interval = 5m\n"
	    "max_frame = 512k\n"
	    "types = Email Mailbox\n"
	    "ca_file = /etc/ssl/daemon.pem\n"
	    "[account personal]\n"
	    "url = https://jmap.example.com/.well-known/jmap\n"
	    "username = me@example.com\n"
	    "password_command = pass show mail\n"
	    "ca_file = /etc/ssl/ca.pem\n"
	    "insecure = true\n"
	    "transport = eventsource\n"
	    "ping_interval = 0\n"
	    "ping_timeout = 250ms\n"
	    "backoff_initial = 500ms\n"
	    "backoff_max = 1h\n"
	    "backoff_reset = 1d\n"
	    "sync_on_start = off\n"
	    "resync_interval = 0\n"
	    "max_frame = 2M\n"
	    "types = EmailDelivery, Email,EmailDelivery\n"
	    "[hook sync]\n"
	    "command = mujmap -C ~/Mail sync\n"
	    "account = personal\n"
	    "types = Email\n");
	ck_assert_str_eq(cfg->path, "test.conf");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/jp");
	ck_assert_int_eq(cfg->log_level, LOG_DEBUG);
	ck_assert_int_eq(cfg->defaults.transport, TRANSPORT_WEBSOCKET);
	ck_assert_uint_eq(cfg->defaults.ping_interval_ms, 45000);
	ck_assert_uint_eq(cfg->defaults.ping_timeout_ms, 5000);
	ck_assert_uint_eq(cfg->defaults.backoff_initial_ms, 2000);
	ck_assert_uint_eq(cfg->defaults.backoff_max_ms, 600000);
	ck_assert_uint_eq(cfg->defaults.backoff_reset_ms, 120000);
	ck_assert(cfg->defaults.sync_on_start);
	ck_assert_uint_eq(cfg->defaults.resync_interval_ms, 300000);
	ck_assert_uint_eq(cfg->defaults.max_frame, 512 * 1024);
	ck_assert_uint_eq(cfg->defaults.ntypes, 2);
	ck_assert_str_eq(cfg->defaults.types[0], "Email");
	ck_assert_str_eq(cfg->defaults.types[1], "Mailbox");

	a = config_find_account(cfg, "personal");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, TAILQ_FIRST(&cfg->accounts));
	ck_assert_ptr_null(TAILQ_NEXT(a, entry));
	ck_assert_str_eq(a->name, "personal");
	ck_assert_str_eq(a->file, "test.conf");
	ck_assert_int_eq(a->line, 15);
	ck_assert_str_eq(a->url, "https://jmap.example.com/.well-known/jmap");
	ck_assert_str_eq(a->username, "me@example.com");
	ck_assert_int_eq(a->secret_kind, SECRET_PASSWORD_COMMAND);
	ck_assert_str_eq(a->secret, "pass show mail");
	ck_assert_str_eq(a->ca_file, "/etc/ssl/ca.pem");
	ck_assert(a->insecure);
	ck_assert_int_eq(a->tuning.transport, TRANSPORT_EVENTSOURCE);
	ck_assert_uint_eq(a->tuning.ping_interval_ms, 0);
	ck_assert_uint_eq(a->tuning.ping_timeout_ms, 250);
	ck_assert_uint_eq(a->tuning.backoff_initial_ms, 500);
	ck_assert_uint_eq(a->tuning.backoff_max_ms, 3600000);
	ck_assert_uint_eq(a->tuning.backoff_reset_ms, 86400000);
	ck_assert(!a->tuning.sync_on_start);
	ck_assert_uint_eq(a->tuning.resync_interval_ms, 0);
	ck_assert_uint_eq(a->tuning.max_frame, 2 * 1024 * 1024);
	ck_assert_uint_eq(a->tuning.ntypes, 2);
	ck_assert_str_eq(a->tuning.types[0], "EmailDelivery");
	ck_assert_str_eq(a->tuning.types[1], "Email");
	ck_assert_ptr_null(config_find_account(cfg, "other"));

	h = TAILQ_FIRST(&cfg->hooks);
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_null(TAILQ_NEXT(h, entry));
	ck_assert_str_eq(h->name, "sync");
	ck_assert_str_eq(h->file, "test.conf");
	ck_assert_int_eq(h->line, 31);
	ck_assert_str_eq(h->command, "mujmap -C ~/Mail sync");
	ck_assert_str_eq(h->account, "personal");
	ck_assert_uint_eq(h->ntypes, 1);
	ck_assert_str_eq(h->types[0], "Email");
	config_free(cfg);
}
END_TEST

START_TEST(test_secret_kinds)
{
	static const struct {
		const char		*key;
		enum config_secret	 kind;
		const char		*value;
		const char		*want;
	} cases[] = {
		{ "password_command", SECRET_PASSWORD_COMMAND, "cat x", "cat x" },
		{ "password_file", SECRET_PASSWORD_FILE, "/run/pw", "/run/pw" },
		{ "token_command", SECRET_TOKEN_COMMAND, "oauth2 get", "oauth2 get" },
		{ "token_file", SECRET_TOKEN_FILE, "/run/tok", "/run/tok" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config	*cfg;
		char		*text;

		xasprintf(&text, "[account a]\nurl = h\nusername = u\n%s = %s\n",
		    cases[i].key, cases[i].value);
		cfg = load_ok(text);
		ck_assert_int_eq(TAILQ_FIRST(&cfg->accounts)->secret_kind,
		    cases[i].kind);
		ck_assert_str_eq(TAILQ_FIRST(&cfg->accounts)->secret,
		    cases[i].want);
		config_free(cfg);
		free(text);
	}
}
END_TEST

START_TEST(test_defaults)
{
	struct config			*cfg;
	const struct config_account	*a;
	char				*dir;

	setenv("STATE_DIRECTORY", "/var/lib/jmap-pushd:/other", 1);
	cfg = load_ok("[account a]\nurl = jmap.example.com\n");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/jmap-pushd");
	ck_assert_int_eq(cfg->log_level, -1);
	a = TAILQ_FIRST(&cfg->accounts);
	ck_assert_int_eq(a->line, 1);
	ck_assert_str_eq(a->url, "jmap.example.com");
	ck_assert_ptr_null(a->username);
	ck_assert_int_eq(a->secret_kind, SECRET_NONE);
	ck_assert_ptr_null(a->secret);
	ck_assert_ptr_null(a->ca_file);
	ck_assert(!a->insecure);
	ck_assert_int_eq(a->tuning.transport, TRANSPORT_AUTO);
	ck_assert_uint_eq(a->tuning.ping_interval_ms, 30000);
	ck_assert_uint_eq(a->tuning.ping_timeout_ms, 10000);
	ck_assert_uint_eq(a->tuning.backoff_initial_ms, 1000);
	ck_assert_uint_eq(a->tuning.backoff_max_ms, 300000);
	ck_assert_uint_eq(a->tuning.backoff_reset_ms, 60000);
	ck_assert(!a->tuning.sync_on_start);
	ck_assert_uint_eq(a->tuning.resync_interval_ms, 900000);
	ck_assert_uint_eq(a->tuning.max_frame, 1048576);
	ck_assert_ptr_null(a->tuning.types);
	ck_assert_uint_eq(a->tuning.ntypes, 0);
	ck_assert(TAILQ_EMPTY(&cfg->hooks));
	config_free(cfg);

	unsetenv("STATE_DIRECTORY");
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	dir = config_default_state_dir();
	ck_assert_str_eq(dir, "/xdg/state/jmap-pushd");
	free(dir);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	dir = config_default_state_dir();
	ck_assert_str_eq(dir, "/home/u/.local/state/jmap-pushd");
	free(dir);
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("[account personal]\nurl = x\npong_timeout = 5s\n",
	    "test.conf:3: unknown key 'pong_timeout' in [account personal]; "
	    "did you mean 'ping_timeout'?");
	expect_error(ACCOUNT "frobnicate = 1\n",
	    "test.conf:3: unknown key 'frobnicate' in [account a]: remove it");
	/* A prefix of a known key. */
	expect_error(ACCOUNT "sync = yes\n",
	    "test.conf:3: unknown key 'sync' in [account a]; did you mean "
	    "'sync_on_start'?");
	/* Suggestions come from the keys of that section only. */
	expect_error(ACCOUNT "[hook h]\ncommand = x\nping_timeout = 1s\n",
	    "test.conf:5: unknown key 'ping_timeout' in [hook h]: remove it");
	expect_errors(ACCOUNT "[hook h]\ncomand = x\n",
	    (const char *const[]){
	    "test.conf:3: [hook h] needs command = (a shell command to run on "
	    "changes) or exec = (a program and its arguments, run without a "
	    "shell)",
	    "test.conf:4: unknown key 'comand' in [hook h]; did you mean "
	    "'command'?", NULL });
	expect_errors(ACCOUNT "[hook h]\ncomand = x\ncommand = y\n",
	    (const char *const[]){
	    "test.conf:4: unknown key 'comand' in [hook h]; did you mean "
	    "'command'?", NULL });
	expect_error(ACCOUNT "[daemon]\nurl = x\n",
	    "test.conf:4: 'url' cannot stand in [daemon]: put it in each "
	    "[account NAME]");
	/* Turning verification off is a choice for one server, never a
	 * default for all. */
	expect_error("[daemon]\ninsecure = yes\n" ACCOUNT,
	    "test.conf:2: 'insecure' cannot stand in [daemon]: put it in each "
	    "[account NAME]");
	expect_error(ACCOUNT "state_dir = /x\n",
	    "test.conf:3: 'state_dir' can only stand in [daemon]");
	expect_error("[daemon]\nlog_levle = info\n" ACCOUNT,
	    "test.conf:2: unknown key 'log_levle' in [daemon]; did you mean "
	    "'log_level'?");
}
END_TEST

START_TEST(test_missing_url)
{
	expect_errors("# my accounts\n\n[account personal]\n"
	    "[account work]\nusername = me\n\n\n[account ok]\nurl = x\n",
	    (const char *const[]){
	    "test.conf:3: [account personal] needs url = (a host name, "
	    "https://HOST/.well-known/jmap or the session URL)",
	    "test.conf:4: [account work] needs url = (a host name, "
	    "https://HOST/.well-known/jmap or the session URL)", NULL });
}
END_TEST

START_TEST(test_two_secrets)
{
	expect_error("[account personal]\nurl = x\nusername = u\n"
	    "password_command = pass x\npassword_file = /run/pw\n",
	    "test.conf:5: [account personal] has both password_command and "
	    "password_file: keep only one");
	/* The first in the file is kept, whatever the order of the table. */
	expect_errors("[account p]\nurl = x\ntoken_file = /t\nusername = u\n"
	    "token_command = t\npassword_command = p\n",
	    (const char *const[]){
	    "test.conf:5: [account p] has both token_file and token_command: "
	    "keep only one",
	    "test.conf:6: [account p] has both token_file and "
	    "password_command: keep only one", NULL });
	expect_error("[account p]\nurl = x\npassword_file = /pw\n",
	    "test.conf:3: [account p] has password_file but no username: add "
	    "username = (your login name)");
}
END_TEST

START_TEST(test_bad_values)
{
	expect_error(ACCOUNT "ping_interval = 30 seconds\n",
	    "test.conf:3: invalid duration for ping_interval: '30 seconds'; "
	    "use e.g. 250ms, 30s, 5m, 1h or 2d");
	expect_error("[daemon]\nbackoff_max = -5m\n" ACCOUNT,
	    "test.conf:2: invalid duration for backoff_max: '-5m'; use e.g. "
	    "250ms, 30s, 5m, 1h or 2d");
	expect_error(ACCOUNT "ping_timeout = 99999999999999999999s\n",
	    "test.conf:3: invalid duration for ping_timeout: "
	    "'99999999999999999999s'; use e.g. 250ms, 30s, 5m, 1h or 2d");
	expect_error(ACCOUNT "insecure = maybe\n",
	    "test.conf:3: invalid value for insecure: 'maybe'; use yes or no");
	expect_error(ACCOUNT "sync_on_start = 2\n",
	    "test.conf:3: invalid value for sync_on_start: '2'; use yes or no");
	expect_error(ACCOUNT "transport = ws\n",
	    "test.conf:3: invalid transport 'ws': use auto, websocket or "
	    "eventsource");
	expect_error(ACCOUNT "max_frame = 1T\n",
	    "test.conf:3: invalid max_frame '1T': use a size of at least 1k, "
	    "such as 512k, 1M or 1048576");
	expect_error(ACCOUNT "max_frame = 100\n",
	    "test.conf:3: invalid max_frame '100': use a size of at least 1k, "
	    "such as 512k, 1M or 1048576");
	expect_error("[daemon]\nlog_level = loud\n" ACCOUNT,
	    "test.conf:2: invalid log_level 'loud': use error, warning, info "
	    "or debug");
	expect_error(ACCOUNT "types = Email Mail-box\n",
	    "test.conf:3: invalid type name 'Mail-box' in types: use JMAP "
	    "type names such as Email, Mailbox or EmailDelivery");
	expect_error(ACCOUNT "types = 1Email\n",
	    "test.conf:3: invalid type name '1Email' in types: use JMAP "
	    "type names such as Email, Mailbox or EmailDelivery");
	expect_error(ACCOUNT "types = , ,\n",
	    "test.conf:3: types lists no type: name some, such as Email "
	    "Mailbox, or remove the line");
	expect_error(ACCOUNT "username =\n",
	    "test.conf:3: 'username' has no value: give one or remove the "
	    "line");
	expect_error("[account a]\nurl =\n",
	    "test.conf:2: 'url' has no value: give one or remove the line");
	expect_error(ACCOUNT "ca_file = certs/ca.pem\n",
	    "test.conf:3: ca_file must be an absolute path or start with ~/");
	expect_error("[daemon]\nstate_dir = state\n" ACCOUNT,
	    "test.conf:2: state_dir must be an absolute path or start with ~/");
}
END_TEST

START_TEST(test_tuning_checks)
{
	expect_error(ACCOUNT "ping_timeout = 0\n",
	    "test.conf:3: ping_timeout is 0 while ping_interval is 30s: set "
	    "ping_timeout (e.g. 10s), or ping_interval = 0 to turn pings off");
	expect_error(ACCOUNT "backoff_initial = 0\n",
	    "test.conf:3: backoff_initial must be more than 0, e.g. 1s");
	expect_error(ACCOUNT "backoff_max = 500ms\n",
	    "test.conf:3: backoff_initial (1s) is more than backoff_max "
	    "(500ms): lower backoff_initial or raise backoff_max");
	/* A problem of [daemon] is reported there, not again per account. */
	expect_error("[account a]\nurl = x\n[account b]\nurl = y\n"
	    "[daemon]\nbackoff_initial = 10m\n",
	    "test.conf:6: backoff_initial (10m) is more than backoff_max "
	    "(5m): lower backoff_initial or raise backoff_max");
	/* ...but an account that makes a good default bad is reported. */
	expect_error("[daemon]\nping_interval = 0\nping_timeout = 0\n"
	    "[account a]\nurl = x\n[account b]\nurl = y\nping_interval = 1m\n",
	    "test.conf:8: ping_timeout is 0 while ping_interval is 1m: set "
	    "ping_timeout (e.g. 10s), or ping_interval = 0 to turn pings off");
	/* A rejected value is not reported twice. */
	expect_error(ACCOUNT "backoff_max = 1 minute\n",
	    "test.conf:3: invalid duration for backoff_max: '1 minute'; use "
	    "e.g. 250ms, 30s, 5m, 1h or 2d");
	config_free(load_ok(ACCOUNT "ping_interval = 0\nping_timeout = 0\n"
	    "backoff_initial = 5m\nbackoff_max = 5m\n"));
}
END_TEST

START_TEST(test_inline_password)
{
	expect_error(ACCOUNT "password = hunter2\n",
	    "test.conf:3: inline passwords are not supported; use "
	    "password_command or password_file");
	expect_error("[daemon]\npassword = hunter2\n" ACCOUNT,
	    "test.conf:2: inline passwords are not supported; use "
	    "password_command or password_file");
}
END_TEST

START_TEST(test_no_account)
{
	expect_error("", "test.conf:0: no [account NAME] section: add one");
	expect_error("# nothing\n[daemon]\nlog_level = info\n",
	    "test.conf:0: no [account NAME] section: add one");
}
END_TEST

START_TEST(test_daemon_inherited)
{
	struct config			*cfg;
	const struct config_account	*a, *b;

	cfg = load_ok(
	    "[account early]\n"
	    "url = x\n"
	    "ping_timeout = 3s\n"
	    "[daemon]\n"
	    "ping_interval = 1m\n"
	    "ping_timeout = 20s\n"
	    "types = Email\n"
	    "sync_on_start = yes\n"
	    "ca_file = /etc/ca.pem\n"
	    "[account late]\n"
	    "url = y\n"
	    "types = Mailbox\n"
	    "ca_file = /etc/other.pem\n");
	a = config_find_account(cfg, "early");
	b = config_find_account(cfg, "late");
	ck_assert_ptr_eq(a, TAILQ_FIRST(&cfg->accounts));
	ck_assert_uint_eq(a->tuning.ping_interval_ms, 60000);
	ck_assert_uint_eq(a->tuning.ping_timeout_ms, 3000);
	ck_assert(a->tuning.sync_on_start);
	ck_assert_uint_eq(a->tuning.ntypes, 1);
	ck_assert_str_eq(a->tuning.types[0], "Email");
	/* A copy: freeing one must not free the other. */
	ck_assert_ptr_ne(a->tuning.types, cfg->defaults.types);
	ck_assert_ptr_ne(a->tuning.types[0], cfg->defaults.types[0]);
	ck_assert_str_eq(a->ca_file, "/etc/ca.pem");
	ck_assert_uint_eq(b->tuning.ping_interval_ms, 60000);
	ck_assert_uint_eq(b->tuning.ping_timeout_ms, 20000);
	ck_assert_uint_eq(b->tuning.ntypes, 1);
	ck_assert_str_eq(b->tuning.types[0], "Mailbox");
	ck_assert_str_eq(b->ca_file, "/etc/other.pem");
	config_free(cfg);
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite	*s = suite_create("keys");
	TCase	*tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_secret_kinds);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_missing_url);
	tcase_add_test(tc, test_two_secrets);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_tuning_checks);
	tcase_add_test(tc, test_inline_password);
	tcase_add_test(tc, test_no_account);
	tcase_add_test(tc, test_daemon_inherited);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(keys_suite());
}
