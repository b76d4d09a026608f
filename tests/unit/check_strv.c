/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"
#include "unit.h"

/* A copy is deep: its strings are new and the vector is NULL-terminated. */
START_TEST(test_dup)
{
	char *v[] = { "a", "bc", NULL };
	char **d = strv_dup(v);

	ck_assert_uint_eq(strv_len(d), 2);
	ck_assert_str_eq(d[0], "a");
	ck_assert_str_eq(d[1], "bc");
	ck_assert_ptr_null(d[2]);
	ck_assert_ptr_ne(d[0], v[0]);
	ck_assert_ptr_ne(d[1], v[1]);
	strv_free(d);
}
END_TEST

/* Changing the copy leaves the original alone, and the other way round. */
START_TEST(test_dup_independent)
{
	char a[] = "one", b[] = "two";
	char *v[] = { a, b, NULL };
	char **d = strv_dup(v);

	d[0][0] = 'O';
	b[0] = 'T';
	ck_assert_str_eq(v[0], "one");
	ck_assert_str_eq(d[0], "One");
	ck_assert_str_eq(d[1], "two");
	strv_free(d);
}
END_TEST

/* NULL and an empty vector both copy to an empty, freeable vector. */
START_TEST(test_empty)
{
	char *empty[] = { NULL };
	char **d;

	ck_assert_uint_eq(strv_len(NULL), 0);
	ck_assert_uint_eq(strv_len(empty), 0);
	d = strv_dup(NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(d[0]);
	strv_free(d);
	d = strv_dup(empty);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_ne(d, empty);
	ck_assert_ptr_null(d[0]);
	strv_free(d);
	strv_free(NULL);
}
END_TEST

/* The length stops at the first NULL; empty strings count. */
START_TEST(test_len)
{
	char *v[] = { "", "x", NULL, "after", NULL };
	char **d;

	ck_assert_uint_eq(strv_len(v), 2);
	d = strv_dup(v);
	ck_assert_uint_eq(strv_len(d), 2);
	ck_assert_str_eq(d[0], "");
	ck_assert_str_eq(d[1], "x");
	ck_assert_ptr_null(d[2]);
	strv_free(d);
}
END_TEST

static Suite *
strv_suite(void)
{
	Suite *s = suite_create("strv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dup);
	tcase_add_test(tc, test_dup_independent);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_len);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(strv_suite());
}
