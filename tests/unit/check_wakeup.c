/* Telling a suspend and a wall-clock jump from normal time passing, from
 * three clock readings. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "daemon/wakeup.h"
#include "unit.h"

static struct wakeup_clocks
at(uint64_t mono, uint64_t boot, int64_t real)
{
	struct wakeup_clocks c = { mono, boot, real };

	return c;
}

START_TEST(test_normal_time)
{
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 10000, 1700000005000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
	/* Scheduling noise between the clocks is not sleep. */
	b = at(6000, 11500, 1700000005000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

START_TEST(test_suspend)
{
	/* Monotonic moved 5 s, boottime 2 hours: the machine slept. */
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 5000 + 7200000, 1700007200000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_RESUMED);
}
END_TEST

START_TEST(test_clock_jump)
{
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 10000, 1700000000000 + 5000 + 31000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_CLOCK_JUMP);
	/* Backwards too. */
	b = at(6000, 10000, 1700000000000 - 60000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_CLOCK_JUMP);
	/* A small correction (NTP slewing) is not a jump. */
	b = at(6000, 10000, 1700000000000 + 5000 + 29000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

START_TEST(test_real_clocks_now)
{
	struct wakeup_clocks a, b;

	wakeup_read_clocks(&a);
	wakeup_read_clocks(&b);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wakeup");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_normal_time);
	tcase_add_test(tc, test_suspend);
	tcase_add_test(tc, test_clock_jump);
	tcase_add_test(tc, test_real_clocks_now);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
