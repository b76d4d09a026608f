/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/util.h>

#include "transport/dial.h"
#include "unit.h"

/* A resolver answer holding the numeric addresses in list, in order. */
struct answer {
	struct evutil_addrinfo ai[16];
	struct sockaddr_in6 sa[16];
};

static const struct evutil_addrinfo *
answer(struct answer *a, const char *const *list, size_t n)
{
	memset(a, 0, sizeof(*a));
	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->sa[i];
		struct sockaddr_in6 *sin6 = &a->sa[i];

		if (inet_pton(AF_INET6, list[i], &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			a->ai[i].ai_addrlen = sizeof(*sin6);
		} else {
			ck_assert_int_eq(inet_pton(AF_INET, list[i],
			    &sin->sin_addr), 1);
			sin->sin_family = AF_INET;
			a->ai[i].ai_addrlen = sizeof(*sin);
		}
		a->ai[i].ai_family = a->sa[i].sin6_family;
		a->ai[i].ai_socktype = SOCK_STREAM;
		a->ai[i].ai_addr = (struct sockaddr *)&a->sa[i];
		a->ai[i].ai_next = i + 1 < n ? &a->ai[i + 1] : NULL;
	}
	return n > 0 ? &a->ai[0] : NULL;
}

/* The order as one string: "::1 127.0.0.1". */
static const char *
ordered(const char *const *list, size_t n)
{
	static char buf[DIAL_MAX_ADDRS * DIAL_ADDR_LEN];
	struct answer a;
	struct dial_addrs out;
	size_t len = 0;

	dial_order(answer(&a, list, n), &out);
	buf[0] = '\0';
	for (size_t i = 0; i < out.n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? " " : "", out.addr[i]);
	return buf;
}

#define ORDER(...) ordered((const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

START_TEST(test_order_interleaves_ipv6_first)
{
	/* localhost in Debian's /etc/hosts, IPv4 first. */
	ck_assert_str_eq(ORDER("127.0.0.1", "::1"), "::1 127.0.0.1");
	ck_assert_str_eq(ORDER("192.0.2.1", "192.0.2.2", "192.0.2.3",
	    "2001:db8::1", "2001:db8::2"),
	    "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 192.0.2.3");
	ck_assert_str_eq(ORDER("2001:db8::1", "2001:db8::2", "2001:db8::3",
	    "192.0.2.1"), "2001:db8::1 192.0.2.1 2001:db8::2 2001:db8::3");
}
END_TEST

START_TEST(test_order_keeps_one_family_as_is)
{
	ck_assert_str_eq(ORDER("127.0.0.2", "127.0.0.1"),
	    "127.0.0.2 127.0.0.1");
	ck_assert_str_eq(ORDER("::2", "::1"), "::2 ::1");
	ck_assert_str_eq(ORDER("192.0.2.9"), "192.0.2.9");
}
END_TEST

START_TEST(test_order_drops_duplicates_and_caps)
{
	struct answer a;
	struct dial_addrs out;
	const char *const many[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3",
	    "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.8",
	    "192.0.2.9", "192.0.2.10", "2001:db8::1" };

	/* A name listed twice in /etc/hosts. */
	ck_assert_str_eq(ORDER("127.0.0.1", "::1", "127.0.0.1", "::1"),
	    "::1 127.0.0.1");
	/* The IPv6 address still gets its turn before the cap. */
	ck_assert_uint_eq(dial_order(answer(&a, many, 11), &out),
	    DIAL_MAX_ADDRS);
	ck_assert_str_eq(out.addr[0], "2001:db8::1");
	ck_assert_str_eq(out.addr[1], "192.0.2.1");
	ck_assert_str_eq(out.addr[7], "192.0.2.7");
	ck_assert_uint_eq(dial_order(NULL, &out), 0);
}
END_TEST

START_TEST(test_refused_moves_on_at_once)
{
	struct dial d;

	dial_init(&d, 3);
	ck_assert_int_eq(dial_step(&d, DIAL_BEGIN), 0);
	/* Refused: the next address starts now, not after the delay. */
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), 1);
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), 2);
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), DIAL_GIVE_UP);
}
END_TEST

START_TEST(test_delay_adds_an_attempt_alongside)
{
	struct dial d;

	dial_init(&d, 3);
	ck_assert_int_eq(dial_step(&d, DIAL_BEGIN), 0);
	/* Address 0 does not answer (a blackhole): after the delay address
	 * 1 runs alongside it, then 2. */
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), 1);
	ck_assert_uint_eq(d.running, 2);
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), 2);
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), DIAL_WAIT);
	/* The others keep going while any one does. */
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), DIAL_WAIT);
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), DIAL_WAIT);
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), DIAL_GIVE_UP);
}
END_TEST

START_TEST(test_failure_while_another_runs)
{
	struct dial d;

	dial_init(&d, 4);
	ck_assert_int_eq(dial_step(&d, DIAL_BEGIN), 0);
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), 1);
	/* 1 is refused while 0 still says nothing: 2 starts at once. */
	ck_assert_int_eq(dial_step(&d, DIAL_ATTEMPT_FAILED), 2);
	ck_assert_uint_eq(d.running, 2);
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), 3);
	ck_assert_int_eq(dial_step(&d, DIAL_DELAY_PASSED), DIAL_WAIT);
}
END_TEST

START_TEST(test_nothing_to_try)
{
	struct dial d;

	dial_init(&d, 0);
	ck_assert_int_eq(dial_step(&d, DIAL_BEGIN), DIAL_GIVE_UP);
}
END_TEST

static Suite *
dial_suite(void)
{
	Suite *s = suite_create("dial");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order_interleaves_ipv6_first);
	tcase_add_test(tc, test_order_keeps_one_family_as_is);
	tcase_add_test(tc, test_order_drops_duplicates_and_caps);
	tcase_add_test(tc, test_refused_moves_on_at_once);
	tcase_add_test(tc, test_delay_adds_an_attempt_alongside);
	tcase_add_test(tc, test_failure_while_another_runs);
	tcase_add_test(tc, test_nothing_to_try);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(dial_suite());
}
