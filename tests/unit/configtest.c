/* SPDX-License-Identifier: ISC */
/* The config test programs' shared helpers; see configtest.h. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>

#include "config/config.h"
#include "configtest.h"

struct config_errors errs;

struct config *
load(const char *text)
{
	config_errors_clear(&errs);
	return config_load_string(text, "test.conf", &errs);
}

struct config *
load_ok(const char *text)
{
	struct config *cfg = load(text);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "unexpected: %s\n", errs.msgs[i]);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

void
expect_errors(const char *text, const char *const *want)
{
	struct config	*cfg = load(text);
	size_t		 n = 0;

	while (want[n] != NULL)
		n++;
	if (errs.n != n)
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "got: %s\n", errs.msgs[i]);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(errs.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(errs.msgs[i], want[i]);
}

void
expect_error(const char *text, const char *want)
{
	const char *const list[] = { want, NULL };

	expect_errors(text, list);
}

void
configtest_teardown(void)
{
	config_errors_clear(&errs);
}
