/* SPDX-License-Identifier: ISC */
/* A webhook's pure decisions: the signature against Python's hmac, what
 * each status means, Retry-After capped at an hour. */
#include "autoconf.h"

#include <check.h>
#include <string.h>

#include "output/webhooksign.h"
#include "unit.h"

START_TEST(test_signature)
{
	char sig[WEBHOOKSIGN_LEN];
	const char *body = "{\"event\":\"state\"}";

	/* python3: hmac.new(b"whsecret", b"1700000000." + body,
	 * hashlib.sha256).hexdigest() */
	webhooksign_signature("whsecret", 8, "1700000000", body, strlen(body),
	    sig);
	ck_assert_str_eq(sig, "sha256=a6727fe5191307e26b8f21a7f265e075fbca8e8"
	    "5183a9380931a8128561621d1");
	/* An empty body still has its dot. */
	webhooksign_signature("k", 1, "1", "", 0, sig);
	ck_assert_str_eq(sig, "sha256=37c39ff90c9eaf98b76f1cf1a38399fa408e930"
	    "f34e04a5179d0dc6489fe9c78");
}
END_TEST

START_TEST(test_outcome)
{
	const struct {
		int status;
		enum webhooksign_outcome want;
	} rows[] = {
		{ 200, WEBHOOKSIGN_DELIVERED }, { 202, WEBHOOKSIGN_DELIVERED },
		{ 204, WEBHOOKSIGN_DELIVERED }, { 299, WEBHOOKSIGN_DELIVERED },
		{ 0, WEBHOOKSIGN_RETRY }, { 408, WEBHOOKSIGN_RETRY },
		{ 429, WEBHOOKSIGN_RETRY }, { 500, WEBHOOKSIGN_RETRY },
		{ 503, WEBHOOKSIGN_RETRY }, { 599, WEBHOOKSIGN_RETRY },
		{ 100, WEBHOOKSIGN_DROP }, { 301, WEBHOOKSIGN_DROP },
		{ 307, WEBHOOKSIGN_DROP }, { 400, WEBHOOKSIGN_DROP },
		{ 401, WEBHOOKSIGN_DROP }, { 404, WEBHOOKSIGN_DROP },
		{ 409, WEBHOOKSIGN_DROP }, { 410, WEBHOOKSIGN_DROP },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ck_assert_msg(webhooksign_outcome(rows[i].status) ==
		    rows[i].want, "status %d", rows[i].status);
}
END_TEST

START_TEST(test_retry_after)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT */
	const time_t now = 784111777;

	ck_assert_uint_eq(webhooksign_retry_after(NULL, now), 0);
	ck_assert_uint_eq(webhooksign_retry_after("5", now), 5000);
	ck_assert_uint_eq(webhooksign_retry_after("3600", now), 3600000);
	ck_assert_uint_eq(webhooksign_retry_after("3601", now), 3600000);
	ck_assert_uint_eq(webhooksign_retry_after("86400", now), 3600000);
	ck_assert_uint_eq(webhooksign_retry_after("soon", now), 0);
	ck_assert_uint_eq(webhooksign_retry_after(
	    "Sun, 06 Nov 1994 08:50:37 GMT", now), 60000);
	ck_assert_uint_eq(webhooksign_retry_after(
	    "Mon, 07 Nov 1994 08:49:37 GMT", now), 3600000);
	ck_assert_uint_eq(webhooksign_retry_after(
	    "Sun, 06 Nov 1994 08:48:37 GMT", now), 0);
}
END_TEST

static Suite *
webhooksign_suite(void)
{
	Suite *s = suite_create("webhooksign");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_signature);
	tcase_add_test(tc, test_outcome);
	tcase_add_test(tc, test_retry_after);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(webhooksign_suite());
}
