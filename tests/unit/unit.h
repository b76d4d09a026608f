/* SPDX-License-Identifier: ISC */
/* What every unit test program's main() does with its suite. */
#ifndef JP_TESTS_UNIT_H
#define JP_TESTS_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The log goes to stderr: point it at an unlinked file so a test can
 * check the exact messages.  Returns the old stderr for
 * unit_restore_stderr(). */
static inline int
unit_capture_stderr(void)
{
	char path[] = "/tmp/jp-unit-log-XXXXXX";
	int fd = mkstemp(path), saved;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static inline void
unit_restore_stderr(int saved)
{
	dup2(saved, 2);
	close(saved);
}

/* Everything logged since unit_capture_stderr(); the caller frees. */
static inline char *
unit_stderr_text(void)
{
	char *buf = calloc(1, 1 << 20);
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	n = pread(2, buf, (1 << 20) - 1, 0);
	ck_assert_int_ge(n, 0);
	return buf;
}

#endif
