/* Keepalive ticks: pings of connections alive at different moments land on
 * shared ticks, never later than the interval and never much earlier. */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>

#include "transport/ws.h"
#include "unit.h"

START_TEST(test_delay_bounds)
{
	const uint64_t intervals[] = { 1, 3, 4, 1000, 30000, 45000, 300000 };

	for (size_t i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		uint64_t iv = intervals[i];

		for (uint64_t now = 1700000000000ULL; now < 1700000000000ULL +
		    3 * iv + 10; now += 1 + iv / 97) {
			uint64_t d = ws_ping_delay(now, iv);

			ck_assert_uint_le(d, iv);
			ck_assert_uint_ge(d, iv - iv / 4);
			ck_assert_uint_gt(d, 0);
		}
	}
	/* Below four milliseconds there is no tick to share. */
	ck_assert_uint_eq(ws_ping_delay(12345, 3), 3);
}
END_TEST

START_TEST(test_tick_is_a_power_of_two)
{
	/* 30s: a quarter is 7.5s, so ticks are 4096 ms apart. */
	ck_assert_uint_eq(ws_ping_delay(0, 30000), 28672);
	ck_assert_uint_eq(ws_ping_delay(4095, 30000), 28673);
	ck_assert_uint_eq(ws_ping_delay(4096, 30000), 28672);
	ck_assert_uint_eq(ws_ping_delay(1000, 1000), 920);
}
END_TEST

START_TEST(test_sessions_share_a_tick)
{
	const uint64_t iv = 30000, base = 1764125400000ULL;
	uint64_t at, first = 0, distinct = 0;

	/* 1,000 sessions whose last frame came at 1,000 different
	 * milliseconds spread over 30s would wake the daemon 1,000 times
	 * with a timer each; on ticks they wake it at most 8 times. */
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t now = base + i * 30;

		at = now + ws_ping_delay(now, iv);
		if (at != first) {
			distinct++;
			first = at;
		}
	}
	ck_assert_uint_le(distinct, 9);

	/* Pinged together, answered within a few ms of each other: the next
	 * round is one tick again. */
	first = base + 17 + ws_ping_delay(base + 17, iv);
	for (uint64_t ms = 18; ms < 60; ms++)
		ck_assert_uint_eq(base + ms + ws_ping_delay(base + ms, iv),
		    first);
}
END_TEST

START_TEST(test_intervals_nest)
{
	/* Accounts with different intervals still meet on the coarser
	 * ticks: every 60s tick is a 30s tick too. */
	const uint64_t now = 1764125401234ULL;
	uint64_t at60 = now + ws_ping_delay(now, 60000);

	ck_assert_uint_eq(at60 % 8192, 0);
	ck_assert_uint_eq(at60 % 4096, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("keepalive");

	tcase_add_test(tc, test_delay_bounds);
	tcase_add_test(tc, test_tick_is_a_power_of_two);
	tcase_add_test(tc, test_sessions_share_a_tick);
	tcase_add_test(tc, test_intervals_nest);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
