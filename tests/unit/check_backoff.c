/* SPDX-License-Identifier: ISC */
/* The reconnect schedule on a fake clock: ceilings, jitter bounds, reset
 * after a healthy connection, Retry-After. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "session/backoff.h"
#include "unit.h"

START_TEST(test_ceiling_doubles_to_max)
{
	struct backoff b;
	const uint64_t want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000,
	    128000, 256000, 300000, 300000, 300000 };

	backoff_init(&b, 1000, 300000, 60000, 42);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(backoff_ceiling(&b), want[i]);
		backoff_next(&b, 0);
	}
	/* Never gives up: hundreds of failures later it still answers. */
	for (int i = 0; i < 500; i++)
		ck_assert_uint_le(backoff_next(&b, 0), 300000);
}
END_TEST

START_TEST(test_full_jitter_bounds_and_spread)
{
	struct backoff b;
	uint64_t lo = UINT64_MAX, hi = 0, d;

	/* Many accounts failing at once each draw from [0, ceiling]: the
	 * draws must cover the range, not cluster. */
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		backoff_init(&b, 1000, 300000, 60000, seed);
		for (int i = 0; i < 3; i++)
			backoff_next(&b, 0);
		d = backoff_next(&b, 0);
		ck_assert_uint_le(d, 8000);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	ck_assert_uint_lt(lo, 1000);
	ck_assert_uint_gt(hi, 7000);
}
END_TEST

START_TEST(test_reset_after_healthy_connection)
{
	struct backoff b;

	backoff_init(&b, 1000, 300000, 60000, 7);
	for (int i = 0; i < 5; i++)
		backoff_next(&b, 0);
	ck_assert_uint_eq(backoff_ceiling(&b), 32000);

	/* Up for 59.999 s: not long enough to forget the failures. */
	backoff_connected(&b, 100000);
	ck_assert(!backoff_disconnected(&b, 159999));
	ck_assert_uint_eq(backoff_ceiling(&b), 32000);

	/* Up for 60 s: healthy; the next failure starts from the bottom. */
	backoff_connected(&b, 200000);
	ck_assert(backoff_disconnected(&b, 260000));
	ck_assert_uint_eq(backoff_ceiling(&b), 1000);
	ck_assert_uint_le(backoff_next(&b, 0), 1000);

	/* Disconnected without having connected: a failure, not healthy. */
	ck_assert(!backoff_disconnected(&b, 300000));
}
END_TEST

START_TEST(test_retry_after_is_a_floor)
{
	struct backoff b;

	backoff_init(&b, 1000, 300000, 60000, 3);
	ck_assert_uint_eq(backoff_next(&b, 30000), 30000);
	ck_assert_uint_ge(backoff_next(&b, 500), 500);
}
END_TEST

START_TEST(test_retry_after_parse)
{
	/* Thu, 26 Nov 2026 00:00:00 GMT */
	time_t now = 1795651200;

	ck_assert_uint_eq(backoff_retry_after("120", now), 120000);
	ck_assert_uint_eq(backoff_retry_after(" 5 ", now), 5000);
	ck_assert_uint_eq(backoff_retry_after("0", now), 0);
	ck_assert_uint_eq(backoff_retry_after(NULL, now), 0);
	ck_assert_uint_eq(backoff_retry_after("soon", now), 0);
	ck_assert_uint_eq(backoff_retry_after("12s", now), 0);
	ck_assert_uint_eq(backoff_retry_after("-3", now), 0);
	ck_assert_uint_eq(backoff_retry_after("99999999999", now),
	    24ULL * 3600 * 1000);
	ck_assert_uint_eq(backoff_retry_after(
	    "Thu, 26 Nov 2026 00:01:30 GMT", now), 90000);
	ck_assert_uint_eq(backoff_retry_after(
	    "Thursday, 26-Nov-26 00:00:10 GMT", now), 10000);
	ck_assert_uint_eq(backoff_retry_after(
	    "Thu Nov 26 00:00:02 2026", now), 2000);
	/* A date in the past asks for no wait. */
	ck_assert_uint_eq(backoff_retry_after(
	    "Wed, 25 Nov 2026 23:00:00 GMT", now), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ceiling_doubles_to_max);
	tcase_add_test(tc, test_full_jitter_bounds_and_spread);
	tcase_add_test(tc, test_reset_after_healthy_connection);
	tcase_add_test(tc, test_retry_after_is_a_floor);
	tcase_add_test(tc, test_retry_after_parse);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
