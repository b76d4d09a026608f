/* SPDX-License-Identifier: ISC */
/* Ping rounds: connections due at the same instant share one timer, each
 * is called once and in the order it joined, one that left is not called,
 * and an emptied round is not armed. */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#include <event2/event.h>

#include "transport/net-int.h"
#include "transport/netround.h"
#include "unit.h"

#define NMEMBERS 4

struct fixture {
	struct event_base *base;
	struct net net;
	struct netround_member m[NMEMBERS];
	char calls[NMEMBERS * 2 + 1];	/* who was called, in order */
	size_t ncalls;
	int leave_in_cb;		/* member 0 takes this one out */
	uint64_t rejoin_at;		/* member 0 joins again, at this */
	struct timeval now;
};

static struct fixture *fx;

static void
member_cb(void *arg)
{
	struct netround_member *m = arg;
	int i = (int)(m - fx->m);

	fx->calls[fx->ncalls++] = (char)('a' + i);
	if (i == 0 && fx->leave_in_cb >= 0)
		netround_leave(&fx->m[fx->leave_in_cb]);
	if (i == 0 && fx->rejoin_at != 0) {
		netround_join(&fx->net, m, fx->rejoin_at, &fx->now);
		fx->rejoin_at = 0;
	}
}

static void
setup(void)
{
	fx = calloc(1, sizeof(*fx));
	fx->base = event_base_new();
	fx->net.base = fx->base;
	TAILQ_INIT(&fx->net.rounds);
	fx->leave_in_cb = -1;
	for (int i = 0; i < NMEMBERS; i++) {
		fx->m[i].cb = member_cb;
		fx->m[i].arg = &fx->m[i];
	}
	event_base_gettimeofday_cached(fx->base, &fx->now);
}

static void
teardown(void)
{
	for (int i = 0; i < NMEMBERS; i++)
		netround_leave(&fx->m[i]);
	netround_free_all(&fx->net);
	event_base_free(fx->base);
	free(fx);
}

static uint64_t
now_ms(void)
{
	return (uint64_t)fx->now.tv_sec * 1000 +
	    (uint64_t)fx->now.tv_usec / 1000;
}

/* Rounds armed: each is one libevent timer. */
static int
nrounds(void)
{
	return event_base_get_num_events(fx->base, EVENT_BASE_COUNT_ADDED);
}

START_TEST(test_one_timer_per_instant)
{
	uint64_t at = now_ms() + 20;

	for (int i = 0; i < NMEMBERS; i++)
		netround_join(&fx->net, &fx->m[i], at, &fx->now);
	ck_assert_int_eq(nrounds(), 1);
	ck_assert_uint_eq(netround_newest(&fx->net), at);
	ck_assert(netround_pending(&fx->m[3]));
	event_base_dispatch(fx->base);
	ck_assert_str_eq(fx->calls, "abcd");
	for (int i = 0; i < NMEMBERS; i++)
		ck_assert(!netround_pending(&fx->m[i]));
}
END_TEST

START_TEST(test_left_members_are_not_called)
{
	uint64_t at = now_ms() + 20;

	for (int i = 0; i < NMEMBERS; i++)
		netround_join(&fx->net, &fx->m[i], at, &fx->now);
	netround_leave(&fx->m[1]);
	fx->leave_in_cb = 2;		/* a's callback closes c */
	event_base_dispatch(fx->base);
	ck_assert_str_eq(fx->calls, "ad");
}
END_TEST

START_TEST(test_empty_round_never_fires)
{
	netround_join(&fx->net, &fx->m[0], now_ms() + 20, &fx->now);
	netround_leave(&fx->m[0]);
	/* Nothing pending: dispatch returns at once, nobody called. */
	ck_assert_int_eq(event_base_dispatch(fx->base), 1);
	ck_assert_uint_eq(fx->ncalls, 0);
}
END_TEST

START_TEST(test_moving_and_rejoining)
{
	uint64_t at = now_ms() + 20;

	netround_join(&fx->net, &fx->m[0], at, &fx->now);
	netround_join(&fx->net, &fx->m[1], at + 10, &fx->now);
	ck_assert_int_eq(nrounds(), 2);
	/* Joining another round leaves the first, unarmed once empty. */
	netround_join(&fx->net, &fx->m[1], at, &fx->now);
	ck_assert_int_eq(nrounds(), 1);
	/* a joins again from its callback: called twice, b once. */
	fx->rejoin_at = at + 30;
	event_base_dispatch(fx->base);
	ck_assert_str_eq(fx->calls, "aba");
	ck_assert_int_eq(nrounds(), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("netround");
	TCase *tc = tcase_create("rounds");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_one_timer_per_instant);
	tcase_add_test(tc, test_left_members_are_not_called);
	tcase_add_test(tc, test_empty_round_never_fires);
	tcase_add_test(tc, test_moving_and_rejoining);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
