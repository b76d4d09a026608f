/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/namemap.h"
#include "util/xmalloc.h"
#include "unit.h"

START_TEST(test_put_get_del)
{
	struct namemap *m = namemap_new();
	int a, b;

	ck_assert_ptr_null(namemap_get(m, "a"));
	namemap_put(m, "a", &a);
	namemap_put(m, "b", &b);
	ck_assert_ptr_eq(namemap_get(m, "a"), &a);
	ck_assert_ptr_eq(namemap_get(m, "b"), &b);
	ck_assert_ptr_null(namemap_get(m, "c"));
	namemap_del(m, "a");
	namemap_del(m, "c");
	ck_assert_ptr_null(namemap_get(m, "a"));
	ck_assert_ptr_eq(namemap_get(m, "b"), &b);
	namemap_free(m);
	namemap_free(NULL);
}
END_TEST

/* A new value under a name takes the new key too: the old one may be
 * freed first (ASan sees a read of it). */
START_TEST(test_replace_key)
{
	struct namemap *m = namemap_new();
	char *k1 = xstrdup("acct"), *k2 = xstrdup("acct");
	int a, b;

	namemap_put(m, k1, &a);
	namemap_put(m, k2, &b);
	free(k1);
	ck_assert_ptr_eq(namemap_get(m, "acct"), &b);
	namemap_del(m, "acct");
	ck_assert_ptr_null(namemap_get(m, "acct"));
	namemap_free(m);
	free(k2);
}
END_TEST

/* Many names (it grows past its first size), each found. */
START_TEST(test_many)
{
	struct namemap *m = namemap_new();
	char **names = xcalloc(10000, sizeof(*names));

	for (size_t i = 0; i < 10000; i++) {
		xasprintf(&names[i], "a%zu", i);
		namemap_put(m, names[i], names[i]);
	}
	for (size_t i = 0; i < 10000; i++)
		ck_assert_ptr_eq(namemap_get(m, names[i]), names[i]);
	for (size_t i = 0; i < 10000; i += 2)
		namemap_del(m, names[i]);
	for (size_t i = 0; i < 10000; i++)
		ck_assert_ptr_eq(namemap_get(m, names[i]),
		    i % 2 ? names[i] : NULL);
	namemap_free(m);
	for (size_t i = 0; i < 10000; i++)
		free(names[i]);
	free(names);
}
END_TEST

static Suite *
namemap_suite(void)
{
	Suite *s = suite_create("namemap");
	TCase *tc = tcase_create("namemap");

	tcase_add_test(tc, test_put_get_del);
	tcase_add_test(tc, test_replace_key);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(namemap_suite());
}
