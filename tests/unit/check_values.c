/* SPDX-License-Identifier: ISC */
/* Single configuration values: durations, sizes, booleans and home
 * paths (values.c). */
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

static Suite *
values_suite(void)
{
	Suite	*s = suite_create("values");
	TCase	*tc = tcase_create("values");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_parse_size);
	tcase_add_test(tc, test_parse_bool);
	tcase_add_test(tc, test_tilde);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(values_suite());
}
