/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "unit.h"

/*
 * Linked with -Wl,--wrap=localtime_r (tests/unit/local.mk): counts the
 * time conversions of libjmappushd.a, which the log line caches per second.
 */
struct tm *__real_localtime_r(const time_t *, struct tm *);
struct tm *__wrap_localtime_r(const time_t *, struct tm *);

static int nlocaltime;

struct tm *
__wrap_localtime_r(const time_t *t, struct tm *tm)
{
	nlocaltime++;
	return __real_localtime_r(t, tm);
}

static int saved_stderr = -1;

static void
setup(void)
{
	unsetenv("JOURNAL_STREAM");
	log_init(LOG_DEBUG);
	saved_stderr = unit_capture_stderr();
}

static void
teardown(void)
{
	unit_restore_stderr(saved_stderr);
}

static void
set_tz(const char *tz)
{
	ck_assert_int_eq(setenv("TZ", tz, 1), 0);
	log_reload_tz();
}

/* Empties the captured log. */
static void
log_clear(void)
{
	ck_assert_int_eq(ftruncate(2, 0), 0);
	ck_assert_int_eq(lseek(2, 0, SEEK_SET), 0);
}

/*
 * The line the daemon wrote before the timestamp was cached, built here the
 * way it was (localtime_r and strftime of the same moment) from the
 * milliseconds the line shows, checked against the clock read around it.
 * Returns false when the second changed while logging (the caller retries).
 */
static bool
check_line(const char *got, const struct timespec *before,
    const struct timespec *after, const char *tag, const char *msg)
{
	char stamp[32], *want;
	struct tm tm;
	long ms;

	if (before->tv_sec != after->tv_sec)
		return false;
	__real_localtime_r(&before->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	ck_assert_uint_gt(strlen(got), 24);
	ms = strtol(got + 20, NULL, 10);
	ck_assert_int_ge(ms, before->tv_nsec / 1000000);
	ck_assert_int_le(ms, after->tv_nsec / 1000000);
	xasprintf(&want, "%s.%03ld %s%s\n", stamp, ms, tag, msg);
	ck_assert_str_eq(got, want);
	free(want);
	return true;
}

/* Logs one line at prio and checks it byte for byte. */
static void
check_prio(int prio, const char *tag)
{
	for (int tries = 0; tries < 3; tries++) {
		struct timespec before, after;
		char *got;
		bool done;

		log_clear();
		clock_gettime(CLOCK_REALTIME, &before);
		log_msg(prio, "account %s: %d change(s)", "work", 3);
		clock_gettime(CLOCK_REALTIME, &after);
		got = unit_stderr_text();
		done = check_line(got, &before, &after, tag,
		    "account work: 3 change(s)");
		free(got);
		if (done)
			return;
	}
	ck_abort_msg("the second changed in every try");
}

START_TEST(test_line_format)
{
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	check_prio(LOG_INFO, "");
	check_prio(LOG_WARNING, "warning: ");
	check_prio(LOG_ERR, "error: ");
	check_prio(LOG_CRIT, "error: ");
	check_prio(LOG_DEBUG, "debug: ");
	set_tz("UTC0");
	check_prio(LOG_INFO, "");
}
END_TEST

/* What the log line does to what it quotes is unchanged too. */
START_TEST(test_line_escaped)
{
	char *got;

	set_tz("UTC0");
	log_clear();
	log_info("a\nb\033[2Jc");
	got = unit_stderr_text();
	ck_assert_uint_gt(strlen(got), 24);
	ck_assert_str_eq(got + 24, "a?b?[2Jc\n");
	free(got);
}
END_TEST

START_TEST(test_journal_format)
{
	char *got;

	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init(LOG_DEBUG);
	log_clear();
	log_info("one");
	log_warnx("two");
	log_debug("three");
	got = unit_stderr_text();
	ck_assert_str_eq(got, "<6>one\n<4>two\n<7>three\n");
	free(got);
}
END_TEST

static void
owed_line(void *arg)
{
	log_info("owed %s", (const char *)arg);
}

/* An owed line comes out at log_owed(), or before the next line printed
 * meanwhile (not before one below the level), exactly once, and a new one
 * owed settles the previous one first. */
START_TEST(test_owed_line)
{
	char *got;

	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init(LOG_INFO);
	log_clear();
	log_owe(owed_line, "1");
	log_debug("filtered");
	log_warnx("two");
	log_owed();
	log_owe(owed_line, "3");
	log_owed();
	log_owed();
	log_owe(owed_line, "4");
	log_owe(owed_line, "5");
	log_info("six");
	log_owed();
	got = unit_stderr_text();
	ck_assert_str_eq(got, "<6>owed 1\n<4>two\n<6>owed 3\n<6>owed 4\n"
	    "<6>owed 5\n<6>six\n");
	free(got);
}
END_TEST

/* 200 lines convert the time once per second they span, not per line. */
START_TEST(test_time_converted_per_second)
{
	struct timespec before, after;

	set_tz("UTC0");
	/* Read first: a second that begins after "first" counts. */
	clock_gettime(CLOCK_REALTIME, &before);
	log_info("first");
	nlocaltime = 0;
	for (int i = 0; i < 200; i++)
		log_info("line %d", i);
	clock_gettime(CLOCK_REALTIME, &after);
	ck_assert_int_le(nlocaltime, after.tv_sec - before.tv_sec);
}
END_TEST

/* A new time zone shows from the next line after log_reload_tz() (reload),
 * even within the same second. */
START_TEST(test_tz_reload)
{
	char *got, *line2, *line3;
	int h1, h2, h3;

	set_tz("UTC0");
	for (int tries = 0; tries < 3; tries++) {
		struct timespec before, after;

		log_clear();
		clock_gettime(CLOCK_REALTIME, &before);
		log_info("utc");
		ck_assert_int_eq(setenv("TZ", "XST-5", 1), 0);
		log_info("still utc");
		log_reload_tz();
		log_info("xst");
		clock_gettime(CLOCK_REALTIME, &after);
		if (before.tv_sec != after.tv_sec)
			continue;
		got = unit_stderr_text();
		line2 = strchr(got, '\n') + 1;
		line3 = strchr(line2, '\n') + 1;
		ck_assert_int_eq(sscanf(got, "%*d-%*d-%*d %d:", &h1), 1);
		ck_assert_int_eq(sscanf(line2, "%*d-%*d-%*d %d:", &h2), 1);
		ck_assert_int_eq(sscanf(line3, "%*d-%*d-%*d %d:", &h3), 1);
		ck_assert_int_eq(h2, h1);
		ck_assert_int_eq(h3, (h1 + 5) % 24);
		free(got);
		return;
	}
	ck_abort_msg("the second changed in every try");
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_line_format);
	tcase_add_test(tc, test_line_escaped);
	tcase_add_test(tc, test_journal_format);
	tcase_add_test(tc, test_owed_line);
	tcase_add_test(tc, test_time_converted_per_second);
	tcase_add_test(tc, test_tz_reload);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(log_suite());
}
