/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "util/timeutil.h"
#include "unit.h"

/* Milliseconds split into seconds and microseconds, both ways. */
START_TEST(test_tv_ms)
{
	struct timeval tv;

	tv = timeutil_tv_ms(0);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = timeutil_tv_ms(999);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 999000);
	tv = timeutil_tv_ms(1000);
	ck_assert_int_eq(tv.tv_sec, 1);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = timeutil_tv_ms(86400123);
	ck_assert_int_eq(tv.tv_sec, 86400);
	ck_assert_int_eq(tv.tv_usec, 123000);
	ck_assert_uint_eq(timeutil_tv_to_ms(&tv), 86400123);
}
END_TEST

/* Microseconds keep their sub-millisecond part. */
START_TEST(test_tv_us)
{
	struct timeval tv;

	tv = timeutil_tv_us(1);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 1);
	tv = timeutil_tv_us(2999999);
	ck_assert_int_eq(tv.tv_sec, 2);
	ck_assert_int_eq(tv.tv_usec, 999999);
	/* Back to milliseconds rounds down. */
	ck_assert_uint_eq(timeutil_tv_to_ms(&tv), 2999);
}
END_TEST

/* A timespec in milliseconds and microseconds, rounded down. */
START_TEST(test_ts)
{
	struct timespec ts = { 12, 345678999 };

	ck_assert_uint_eq(timeutil_ts_to_ms(&ts), 12345);
	ck_assert_uint_eq(timeutil_ts_to_us(&ts), 12345678);
	ts.tv_sec = 0;
	ts.tv_nsec = 999999;
	ck_assert_uint_eq(timeutil_ts_to_ms(&ts), 0);
	ck_assert_uint_eq(timeutil_ts_to_us(&ts), 999);
}
END_TEST

/* The monotonic clock in milliseconds never goes back and agrees with
 * clock_gettime() read around it. */
START_TEST(test_mono)
{
	struct timespec before, after;
	uint64_t a, b;

	clock_gettime(CLOCK_MONOTONIC, &before);
	a = timeutil_mono_ms();
	b = timeutil_clock_ms(CLOCK_MONOTONIC);
	clock_gettime(CLOCK_MONOTONIC, &after);
	ck_assert_uint_ge(a, timeutil_ts_to_ms(&before));
	ck_assert_uint_ge(b, a);
	ck_assert_uint_le(b, timeutil_ts_to_ms(&after));
}
END_TEST

static Suite *
timeutil_suite(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tv_ms);
	tcase_add_test(tc, test_tv_us);
	tcase_add_test(tc, test_ts);
	tcase_add_test(tc, test_mono);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(timeutil_suite());
}
