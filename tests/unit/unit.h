/* What every unit test program's main() does with its suite. */
#ifndef JP_TESTS_UNIT_H
#define JP_TESTS_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Runs the suite; the exit status is what make check reads. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
