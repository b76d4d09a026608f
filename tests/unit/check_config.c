/* SPDX-License-Identifier: ISC */
/* The configuration file read into sections: syntax, line numbers,
 * comments, odd input, sections and files (config.c). */
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

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("config");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_line_numbers);
	tcase_add_test(tc, test_inline_comments);
	tcase_add_test(tc, test_odd_input);
	tcase_add_test(tc, test_load_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(config_suite());
}
