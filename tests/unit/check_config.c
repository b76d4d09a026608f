/* SPDX-License-Identifier: ISC */
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
#include "unit.h"

static struct config_errors errs;

static struct config *
load(const char *text)
{
	config_errors_clear(&errs);
	return config_load_string(text, "test.conf", &errs);
}

static struct config *
load_ok(const char *text)
{
	struct config *cfg = load(text);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "unexpected: %s\n", errs.msgs[i]);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

/* Exactly these errors, in this order, and no config. */
static void
expect_errors(const char *text, const char *const *want)
{
	struct config	*cfg = load(text);
	size_t		 n = 0;

	while (want[n] != NULL)
		n++;
	if (errs.n != n)
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "got: %s\n", errs.msgs[i]);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(errs.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(errs.msgs[i], want[i]);
}

static void
expect_error(const char *text, const char *want)
{
	const char *const list[] = { want, NULL };

	expect_errors(text, list);
}

#define ACCOUNT "[account a]\nurl = jmap.example.com\n"

static void
teardown(void)
{
	config_errors_clear(&errs);
}

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

START_TEST(test_parse_duration)
{
	static const struct {
		const char	*s;
		uint64_t	 ms;
	} good[] = {
		{ "0", 0 }, { "30", 30000 }, { "250ms", 250 }, { "30s", 30000 },
		{ "5m", 300000 }, { "1h", 3600000 }, { "2d", 172800000 },
		{ "0ms", 0 }, { "007s", 7000 },
		{ "2147483647", 2147483647000ULL },
		{ "2147483647000ms", 2147483647000ULL },
	};
	static const char *const bad[] = {
		"", "-1", "-5s", "+5s", "5x", "s", "1.5s", " 5s", "5s ", "5 s",
		"5S", "5sec", "1ms1", "2147483648", "24856d",
		"99999999999999999999999", "18446744073709551617ms",
	};
	uint64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 12345;
		ck_assert_msg(value_parse_duration(good[i].s, &ms) == 0,
		    "%s", good[i].s);
		ck_assert_uint_eq(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 12345;
		ck_assert_msg(value_parse_duration(bad[i], &ms) == -1, "%s",
		    bad[i]);
		ck_assert_uint_eq(ms, 12345);
	}
}
END_TEST

START_TEST(test_parse_size)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} good[] = {
		{ "0", 0 }, { "1048576", 1048576 }, { "512k", 524288 },
		{ "512K", 524288 }, { "1M", 1048576 }, { "1m", 1048576 },
		{ "2G", 2147483648UL },
	};
	static const char *const bad[] = {
		"", "-1", "1.5M", "1MB", "1 M", "k", "1T", "1x",
		"99999999999999999999999", "17179869184G",
	};
	size_t n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = 7;
		ck_assert_msg(value_parse_size(good[i].s, &n) == 0, "%s",
		    good[i].s);
		ck_assert_uint_eq(n, good[i].n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 7;
		ck_assert_msg(value_parse_size(bad[i], &n) == -1, "%s",
		    bad[i]);
		ck_assert_uint_eq(n, 7);
	}
}
END_TEST

START_TEST(test_parse_bool)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES",
	    "True" };
	static const char *const no[] = { "no", "false", "off", "0", "No",
	    "OFF" };
	static const char *const bad[] = { "", "y", "n", "2", "yess", "enable" };
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		ck_assert_int_eq(value_parse_bool(yes[i], &b), 0);
		ck_assert(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		ck_assert_int_eq(value_parse_bool(no[i], &b), 0);
		ck_assert(!b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = true;
		ck_assert_int_eq(value_parse_bool(bad[i], &b), -1);
		ck_assert(b);
	}
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

START_TEST(test_unknown_section)
{
	expect_errors("[acount x]\nurl = y\n" ACCOUNT,
	    (const char *const[]){
	    "test.conf:1: unknown section [acount x]; did you mean "
	    "[account NAME]?", NULL });
	expect_error(ACCOUNT "[deamon]\n",
	    "test.conf:3: unknown section [deamon]; did you mean [daemon]?");
	expect_error(ACCOUNT "[hooks x]\n",
	    "test.conf:3: unknown section [hooks x]; did you mean "
	    "[hook NAME]?");
	expect_error(ACCOUNT "[server]\nport = 1\n",
	    "test.conf:3: unknown section [server]; use [daemon], "
	    "[account NAME], [hook NAME], [notify], [webhook NAME] or "
	    "[mqtt]");
	expect_error(ACCOUNT "[]\n",
	    "test.conf:3: unknown section []; use [daemon], [account NAME], "
	    "[hook NAME], [notify], [webhook NAME] or [mqtt]");
	expect_error(ACCOUNT "[account]\n",
	    "test.conf:3: [account] needs a name: write [account NAME]");
	expect_error(ACCOUNT "[hook  ]\n",
	    "test.conf:3: [hook] needs a name: write [hook NAME]");
	expect_error(ACCOUNT "[account a b]\n",
	    "test.conf:3: invalid account name 'a b': use one word of "
	    "letters, digits, '.', '_' and '-'");
	expect_error(ACCOUNT "[hook x/y]\n",
	    "test.conf:3: invalid hook name 'x/y': use one word of letters, "
	    "digits, '.', '_' and '-'");
	/* Latin-1 "café": the message quotes it repaired, as UTF-8. */
	expect_error(ACCOUNT "[account caf\xe9]\nurl = x\n",
	    "test.conf:3: section header [account caf" UTF8_REPLACEMENT "] is "
	    "not valid UTF-8: save the file as UTF-8");
	expect_error(ACCOUNT "[hook \xff\xfe]\n",
	    "test.conf:3: section header [hook " UTF8_REPLACEMENT
	    UTF8_REPLACEMENT "] is not valid UTF-8: save the file as UTF-8");
	expect_error(ACCOUNT "[account caf\xc3\xa9]\n",
	    "test.conf:3: invalid account name 'caf\xc3\xa9': use one word of "
	    "letters, digits, '.', '_' and '-'");
	expect_error(ACCOUNT "[daemon x]\n",
	    "test.conf:3: [daemon] takes no name: write [daemon]");
	expect_error("[daemon]\n" ACCOUNT "[daemon]\n",
	    "test.conf:4: second [daemon] section: merge it into the one on "
	    "line 1");
	expect_error(ACCOUNT "[daemon\nstate_dir = /x\n",
	    "test.conf:3: section header without ']': write [daemon], "
	    "[account NAME] or [hook NAME]");
	expect_error(ACCOUNT "[daemon] junk\n",
	    "test.conf:3: unexpected text after ']': put comments on their "
	    "own line or after ' #'");
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

START_TEST(test_duplicates)
{
	expect_error("[account personal]\nurl = x\n\n[account personal]\n"
	    "url = y\n",
	    "test.conf:4: duplicate [account personal] (the first is on line "
	    "1): rename or merge them");
	expect_error(ACCOUNT "[hook h]\ncommand = a\n[hook h]\ncommand = b\n",
	    "test.conf:5: duplicate [hook h] (the first is on line 3): rename "
	    "or merge them");
	expect_error(ACCOUNT "url = y\n",
	    "test.conf:3: duplicate key 'url' in [account a] (also on line "
	    "2): keep one");
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

START_TEST(test_syntax)
{
	expect_error(ACCOUNT "just words\n",
	    "test.conf:3: expected KEY = VALUE, a [SECTION] header or a # "
	    "comment");
	expect_error("url = x\n" ACCOUNT,
	    "test.conf:1: 'url' is outside any section: put it under [daemon] "
	    "or [account NAME]");
	expect_error(ACCOUNT "= x\n", "test.conf:3: no key name before '='");
}
END_TEST

START_TEST(test_all_errors)
{
	/* Every error, in file order, whichever pass found it. */
	expect_errors(
	    "[account a]\n"			/* 1 */
	    "pong_timeout = 1s\n"		/* 2 */
	    "password = x\n"			/* 3 */
	    "[hook h]\n"			/* 4 */
	    "account = nobody\n"		/* 5 */
	    "[daemon]\n"			/* 6 */
	    "ping_interval = forever\n"		/* 7 */
	    "garbage line\n"			/* 8 */
	    "[acount b]\n",			/* 9 */
	    (const char *const[]){
	    "test.conf:1: [account a] needs url = (a host name, "
	    "https://HOST/.well-known/jmap or the session URL)",
	    "test.conf:2: unknown key 'pong_timeout' in [account a]; did you "
	    "mean 'ping_timeout'?",
	    "test.conf:3: inline passwords are not supported; use "
	    "password_command or password_file",
	    "test.conf:4: [hook h] needs command = (a shell command to run on "
	    "changes) or exec = (a program and its arguments, run without a "
	    "shell)",
	    "test.conf:5: [hook h] names account 'nobody' but there is no "
	    "[account nobody]: fix the name or add the account",
	    "test.conf:7: invalid duration for ping_interval: 'forever'; use "
	    "e.g. 250ms, 30s, 5m, 1h or 2d",
	    "test.conf:8: expected KEY = VALUE, a [SECTION] header or a # "
	    "comment",
	    "test.conf:9: unknown section [acount b]; did you mean "
	    "[account NAME]?", NULL });
}
END_TEST

START_TEST(test_line_numbers)
{
	struct config			*cfg;
	const struct config_account	*a;

	/* Comments, blank lines, a continued value and CRLF before the error. */
	expect_error(
	    "; comment\r\n"			/* 1 */
	    "# comment\r\n"			/* 2 */
	    "\r\n"				/* 3 */
	    "[account a]\r\n"			/* 4 */
	    "   \r\n"				/* 5 */
	    "url = x\r\n"			/* 6 */
	    "types = Email\r\n"			/* 7 */
	    "   Mailbox   # inline\r\n"		/* 8 */
	    "\r\n"				/* 9 */
	    "  # indented comment\r\n"		/* 10 */
	    "\tThread\r\n"			/* 11 */
	    "pong_timeout = 1\r\n",		/* 12 */
	    "test.conf:12: unknown key 'pong_timeout' in [account a]; did you "
	    "mean 'ping_timeout'?");

	cfg = load_ok(
	    "[account a]\n"
	    "url = x\n"
	    "types = Email\n"
	    "   Mailbox   # inline\n"
	    "\n"
	    "\tThread, Email\n"
	    "[hook h]\n"
	    "command = a\n"
	    "  b\n");
	a = TAILQ_FIRST(&cfg->accounts);
	ck_assert_uint_eq(a->tuning.ntypes, 3);
	ck_assert_str_eq(a->tuning.types[0], "Email");
	ck_assert_str_eq(a->tuning.types[1], "Mailbox");
	ck_assert_str_eq(a->tuning.types[2], "Thread");
	ck_assert_str_eq(TAILQ_FIRST(&cfg->hooks)->command, "a b");
	ck_assert_int_eq(TAILQ_FIRST(&cfg->hooks)->line, 7);
	config_free(cfg);

	/* A bad continued value is reported at its key's line. */
	expect_error(ACCOUNT "ping_interval = 30s\n  5m\n",
	    "test.conf:3: invalid duration for ping_interval: '30s 5m'; use "
	    "e.g. 250ms, 30s, 5m, 1h or 2d");
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

START_TEST(test_inline_comments)
{
	struct config			*cfg;
	const struct config_account	*a;

	cfg = load_ok(
	    "[account a]   # the main one\n"
	    "url = x # where\n"
	    "username = me#not-a-comment\n"
	    "types = Email Mailbox   # comment\n"
	    "ping_interval = 10s ; semicolon comment\n"
	    "password_command = pass show a;b\n");
	a = TAILQ_FIRST(&cfg->accounts);
	ck_assert_str_eq(a->url, "x");
	ck_assert_str_eq(a->username, "me#not-a-comment");
	ck_assert_uint_eq(a->tuning.ntypes, 2);
	ck_assert_uint_eq(a->tuning.ping_interval_ms, 10000);
	ck_assert_str_eq(a->secret, "pass show a;b");
	config_free(cfg);
}
END_TEST

START_TEST(test_odd_input)
{
	struct config	*cfg;
	char		*text;
	static const char nul[] = ACCOUNT "\0x = 1\n";

	/* A UTF-8 byte order mark and a last line without newline. */
	cfg = load_ok("\xef\xbb\xbf[account a]\nurl = x");
	ck_assert_str_eq(TAILQ_FIRST(&cfg->accounts)->url, "x");
	config_free(cfg);

	/* inih's 50-character section buffer does not cut our names. */
	cfg = load_ok("[account a123456789b123456789c123456789d123456789e12345]"
	    "\nurl = x\n");
	ck_assert_str_eq(TAILQ_FIRST(&cfg->accounts)->name,
	    "a123456789b123456789c123456789d123456789e12345");
	config_free(cfg);

	xasprintf(&text, ACCOUNT "username = %05000d\nx = 1\n", 1);
	expect_errors(text, (const char *const[]){
	    "test.conf:3: line longer than 4094 characters: shorten it or "
	    "continue it on indented lines",
	    "test.conf:4: unknown key 'x' in [account a]: remove it", NULL });
	free(text);

	/* config_load_string stops at the NUL; the file loader reports it. */
	cfg = load_ok(nul);
	config_free(cfg);
}
END_TEST

START_TEST(test_tilde)
{
	struct config			*cfg;
	const struct config_account	*a;

	setenv("HOME", "/home/me", 1);
	cfg = load_ok("[daemon]\nstate_dir = ~/state\n"
	    "[account a]\nurl = x\nca_file = ~/ca.pem\n"
	    "token_file = ~/.token\n"
	    "[account b]\nurl = x\nusername = u\npassword_file = ~/pw\n"
	    "[account c]\nurl = x\ntoken_command = ~/bin/tok\n");
	ck_assert_str_eq(cfg->state_dir, "/home/me/state");
	a = config_find_account(cfg, "a");
	ck_assert_str_eq(a->ca_file, "/home/me/ca.pem");
	ck_assert_str_eq(a->secret, "/home/me/.token");
	ck_assert_str_eq(config_find_account(cfg, "b")->secret, "/home/me/pw");
	/* Commands go to the shell, which expands ~ itself. */
	ck_assert_str_eq(config_find_account(cfg, "c")->secret, "~/bin/tok");
	config_free(cfg);
}
END_TEST

START_TEST(test_account_equal)
{
	static const char base[] =
	    "[account a]\nurl = x\nusername = u\npassword_command = p\n"
	    "ca_file = /ca\ntypes = Email Mailbox\n";
	static const char *const changes[] = {
	    "url = y\n", "username = v\n", "password_command = q\n",
	    "ca_file = /cb\n", "insecure = yes\n", "transport = websocket\n",
	    "ping_interval = 31s\n", "ping_timeout = 11s\n",
	    "backoff_initial = 2s\n", "backoff_max = 6m\n",
	    "backoff_reset = 61s\n", "sync_on_start = yes\n",
	    "resync_interval = 16m\n",
	    "max_frame = 2M\n", "types = Email\n", "types = Email Thread\n",
	};
	struct config	*c1, *c2;
	char		*text;

	c1 = load_ok(base);
	c2 = load_ok("[account a]\nurl = x\nusername = u\n"
	    "password_command = p\nca_file = /ca\ntypes = Mailbox, Email\n");
	ck_assert(config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	config_free(c2);

	c2 = load_ok("[account b]\nurl = x\nusername = u\n"
	    "password_command = p\nca_file = /ca\ntypes = Email Mailbox\n");
	ck_assert(!config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	config_free(c2);

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		char *line = xstrdup(changes[i]), *key;

		key = strtok(line, " ");
		/* Replace the key if the base has it, else add it. */
		if (strstr(base, key) != NULL) {
			const char *at = strstr(base, key);
			const char *eol = strchr(at, '\n') + 1;

			xasprintf(&text, "%.*s%s%s", (int)(at - base), base,
			    changes[i], eol);
		} else
			xasprintf(&text, "%s%s", base, changes[i]);
		free(line);
		c2 = load_ok(text);
		ck_assert_msg(!config_account_equal(TAILQ_FIRST(&c1->accounts),
		    TAILQ_FIRST(&c2->accounts)), "%s", changes[i]);
		config_free(c2);
		free(text);
	}
	config_free(c1);
}
END_TEST

START_TEST(test_account_equal_secret_kind)
{
	struct config *c1, *c2;

	c1 = load_ok("[account a]\nurl = x\ntoken_command = /t\n");
	c2 = load_ok("[account a]\nurl = x\ntoken_file = /t\n");
	ck_assert(!config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	ck_assert(config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c1->accounts)));
	config_free(c1);
	config_free(c2);
}
END_TEST

/* A reload keeps a config alive for each account still running from it:
 * every section knows its config, and the last reference frees it. */
START_TEST(test_ref)
{
	struct config		*cfg;
	struct config_account	*a;

	cfg = load_ok("[account a]\nurl = x\n[account b]\nurl = y\n");
	ck_assert_uint_eq(cfg->refs, 1);
	TAILQ_FOREACH(a, &cfg->accounts, entry)
		ck_assert_ptr_eq(a->config, cfg);
	ck_assert_ptr_eq(config_ref(cfg), cfg);
	ck_assert_ptr_eq(config_ref(cfg), cfg);
	ck_assert_uint_eq(cfg->refs, 3);
	config_unref(cfg);
	config_unref(cfg);
	ck_assert_uint_eq(cfg->refs, 1);
	/* Still whole: the holders left read it. */
	a = TAILQ_LAST(&cfg->accounts, config_accounts);
	ck_assert_str_eq(a->name, "b");
	ck_assert_str_eq(a->url, "y");
	config_unref(cfg);
	config_unref(NULL);
}
END_TEST

/* config_free() of a config another holder still uses would leave that
 * holder with freed memory: it stops the daemon instead. */
START_TEST(test_free_shared)
{
	struct config *cfg = load_ok("[account a]\nurl = x\n");

	config_ref(cfg);
	config_free(cfg);
}
END_TEST

/* config_default_path() of a normal user, even when the tests run as root:
 * then a child that gave up root asks, and sends the answer back. */
static char *
user_default_path(void)
{
	char	 buf[512];
	ssize_t	 n, len = 0;
	int	 fds[2], status;
	pid_t	 pid;

	if (getuid() != 0)
		return config_default_path();
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		char *path;

		close(fds[0]);
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(1);
		path = config_default_path();
		if (write(fds[1], path, strlen(path)) != (ssize_t)strlen(path))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	buf[len] = '\0';
	return xstrdup(buf);
}

START_TEST(test_default_path)
{
	char *path;

	if (getuid() == 0) {
		path = config_default_path();
		ck_assert_str_eq(path, SYSCONFDIR "/jmap-pushd/jmap-pushd.conf");
		free(path);
	}
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("HOME", "/home/u", 1);
	path = user_default_path();
	ck_assert_str_eq(path, "/xdg/conf/jmap-pushd/config");
	free(path);
	/* A relative XDG_CONFIG_HOME is to be ignored (XDG spec). */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	path = user_default_path();
	ck_assert_str_eq(path, "/home/u/.config/jmap-pushd/config");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	path = user_default_path();
	ck_assert_str_eq(path, "/home/u/.config/jmap-pushd/config");
	free(path);
}
END_TEST

static char *
write_temp(const char *dir, const char *name, const char *text, size_t len)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(test_load_file)
{
	char			 tmpl[] = "/tmp/check_config.XXXXXX";
	static const char	 nul[] = ACCOUNT "x = 1\0\n";
	struct config		*cfg;
	char			*dir, *path, *missing, *want;

	dir = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(dir);

	path = write_temp(dir, "ok.conf", ACCOUNT "username = u\n",
	    strlen(ACCOUNT "username = u\n"));
	cfg = config_load(path, &errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->path, path);
	ck_assert_str_eq(TAILQ_FIRST(&cfg->accounts)->file, path);
	ck_assert_str_eq(TAILQ_FIRST(&cfg->accounts)->username, "u");
	config_free(cfg);
	unlink(path);
	free(path);

	path = write_temp(dir, "bad.conf", ACCOUNT "pong_timeout = 1\n",
	    strlen(ACCOUNT "pong_timeout = 1\n"));
	ck_assert_ptr_null(config_load(path, &errs));
	ck_assert_uint_eq(errs.n, 1);
	xasprintf(&want, "%s:3: unknown key 'pong_timeout' in [account a]; "
	    "did you mean 'ping_timeout'?", path);
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);
	unlink(path);
	free(path);

	path = write_temp(dir, "nul.conf", nul, sizeof(nul) - 1);
	ck_assert_ptr_null(config_load(path, &errs));
	ck_assert_uint_eq(errs.n, 1);
	xasprintf(&want, "%s:3: NUL byte in line: remove it", path);
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);
	unlink(path);
	free(path);

	xasprintf(&missing, "%s/missing.conf", dir);
	ck_assert_ptr_null(config_load(missing, &errs));
	ck_assert_uint_eq(errs.n, 1);
	xasprintf(&want, "%s:0: cannot read: %s", missing, strerror(ENOENT));
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);
	free(missing);

	ck_assert_ptr_null(config_load(dir, &errs));
	ck_assert_uint_eq(errs.n, 1);
	xasprintf(&want, "%s:0: cannot read: %s", dir, strerror(EISDIR));
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);

	ck_assert_int_eq(rmdir(dir), 0);
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
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("config");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_notify_actions);
	tcase_add_test(tc, test_secret_kinds);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_hook_and_socket_keys);
	tcase_add_test(tc, test_hook_defaults);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_parse_size);
	tcase_add_test(tc, test_parse_bool);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_missing_url);
	tcase_add_test(tc, test_two_secrets);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_tuning_checks);
	tcase_add_test(tc, test_hook_account);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_inline_password);
	tcase_add_test(tc, test_no_account);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_line_numbers);
	tcase_add_test(tc, test_daemon_inherited);
	tcase_add_test(tc, test_inline_comments);
	tcase_add_test(tc, test_odd_input);
	tcase_add_test(tc, test_tilde);
	tcase_add_test(tc, test_account_equal);
	tcase_add_test(tc, test_account_equal_secret_kind);
	tcase_add_test(tc, test_ref);
	tcase_add_exit_test(tc, test_free_shared, 1);
	tcase_add_test(tc, test_default_path);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_notify_dbus);
	tcase_add_test(tc, test_webhook);
	tcase_add_test(tc, test_mqtt);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(config_suite());
}
