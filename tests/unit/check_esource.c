/* SPDX-License-Identifier: ISC */
/* The ping interval of an EventSource ping event: seconds, or Stalwart's
 * milliseconds. */
#include "autoconf.h"

#include <check.h>
#include <string.h>

#include "session/esource.h"
#include "unit.h"

static uint64_t
ping(const char *data)
{
	return esource_ping_ms(data, strlen(data));
}

START_TEST(test_ping_interval)
{
	ck_assert_uint_eq(ping("{\"interval\":30}"), 30000);
	ck_assert_uint_eq(ping("{\"interval\":3600}"), 3600000);
	/* More than an hour in seconds is absurd: milliseconds. */
	ck_assert_uint_eq(ping("{\"interval\":30000}"), 30000);
	ck_assert_uint_eq(ping("{\"interval\":3601}"), 3601);
	ck_assert_uint_eq(ping("{\"interval\":0}"), 0);
	ck_assert_uint_eq(ping("{\"interval\":-5}"), 0);
	ck_assert_uint_eq(ping("{\"interval\":\"30\"}"), 0);
	ck_assert_uint_eq(ping("{}"), 0);
	ck_assert_uint_eq(ping("30"), 0);
	ck_assert_uint_eq(ping("{\"interval\":"), 0);
	ck_assert_uint_eq(ping(""), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("esource");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ping_interval);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
