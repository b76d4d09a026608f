/* SPDX-License-Identifier: ISC */
/* Files of the state directory: names made safe and distinct, a write
 * that is whole and private or leaves the old file, stale temporary files
 * of dead writers removed and those of live ones kept. */
#include "autoconf.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/statedir.h"
#include "unit.h"

static char dir[] = "/tmp/jp-statedir-XXXXXX";

static void
setup(void)
{
	strcpy(dir, "/tmp/jp-statedir-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The whole content of dir/name, or NULL when it does not exist. */
static char *
slurp(const char *name)
{
	char path[512], *buf = calloc(1, 4096);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_file_name)
{
	static const char *const cases[][2] = {
		{ "personal", "q-personal.x" },
		{ "a.b_c-D9", "q-a.b_c-D9.x" },
		{ "", "q-%.x" },
		{ ".hidden", "q-%2Ehidden.x" },
		{ "a/b", "q-a%2Fb.x" },
		{ "50%", "q-50%25.x" },
		{ "\xc3\xa9", "q-%C3%A9.x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *name = statedir_file_name("q-", cases[i][0], ".x");

		ck_assert_str_eq(name, cases[i][1]);
		free(name);
	}
}
END_TEST

START_TEST(test_write_file)
{
	const char *what;
	char path[512], *where, *text;
	struct stat st;

	snprintf(path, sizeof(path), "%s/f.state", dir);
	ck_assert_int_eq(statedir_write_file(dir, "f.state", path, "one",
	    &what, &where), 0);
	ck_assert_ptr_null(what);
	ck_assert_ptr_null(where);
	ck_assert_int_eq(statedir_write_file(dir, "f.state", path, "two",
	    &what, &where), 0);
	text = slurp("f.state");
	ck_assert_str_eq(text, "two");
	free(text);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	/* A directory where the file should go: the rename fails, the
	 * temporary file is gone, nothing else changed. */
	snprintf(path, sizeof(path), "%s/d/sub", dir);
	ck_assert_int_eq(statedir_mkdirs(path), 0);
	snprintf(path, sizeof(path), "%s/d", dir);
	ck_assert_int_eq(statedir_write_file(dir, "d", path, "three", &what,
	    &where), -1);
	ck_assert_str_eq(what, "rename");
	ck_assert_ptr_nonnull(strstr(where, "/.d.tmp-"));
	ck_assert_int_eq(access(where, F_OK), -1);
	free(where);
	text = slurp("f.state");
	ck_assert_str_eq(text, "two");
	free(text);
}
END_TEST

/* Many files at once: each whole or not at all, one failure leaves the
 * others written. */
START_TEST(test_write_files)
{
	char paths[3][512], sub[512], *text;
	struct statedir_write w[3] = {
		{ .file = "a.state", .text = "A" },
		{ .file = "blocked", .text = "B" },
		{ .file = "c.state", .text = "C" },
	};

	snprintf(sub, sizeof(sub), "%s/blocked/sub", dir);
	ck_assert_int_eq(statedir_mkdirs(sub), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, w[i].file);
		w[i].dir = dir;
		w[i].path = paths[i];
	}
	ck_assert_int_eq(statedir_write_files(w, 3), -1);
	ck_assert_ptr_null(w[0].what);
	ck_assert_ptr_null(w[0].where);
	ck_assert_str_eq(w[1].what, "rename");
	ck_assert_int_eq(w[1].error, EISDIR);
	ck_assert_ptr_nonnull(strstr(w[1].where, "/.blocked.tmp-"));
	ck_assert_int_eq(access(w[1].where, F_OK), -1);
	free(w[1].where);
	ck_assert_ptr_null(w[2].what);
	text = slurp("a.state");
	ck_assert_str_eq(text, "A");
	free(text);
	text = slurp("c.state");
	ck_assert_str_eq(text, "C");
	free(text);

	w[1].file = "b.state";
	snprintf(paths[1], sizeof(paths[1]), "%s/b.state", dir);
	w[0].text = "A2";
	ck_assert_int_eq(statedir_write_files(w, 3), 0);
	text = slurp("a.state");
	ck_assert_str_eq(text, "A2");
	free(text);
	text = slurp("b.state");
	ck_assert_str_eq(text, "B");
	free(text);
}
END_TEST

START_TEST(test_mkdirs)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ck_assert_int_eq(statedir_mkdirs(path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(statedir_mkdirs(path), 0);
}
END_TEST

/* A dead writer's temporary file goes, a live one's (ours, the parent's)
 * and other files' stay. */
START_TEST(test_remove_stale)
{
	char path[512];
	const char *keep[3];
	char live[64], parent[64];
	FILE *f;

	snprintf(live, sizeof(live), ".a.state.tmp-%d", (int)getpid());
	snprintf(parent, sizeof(parent), ".a.state.tmp-%d", (int)getppid());
	keep[0] = live;
	keep[1] = parent;
	keep[2] = ".b.state.tmp-4194305";
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, keep[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/.a.state.tmp-4194305", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	statedir_remove_stale(dir, "a.state");
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, keep[i]);
		ck_assert_int_eq(access(path, F_OK), 0);
	}
}
END_TEST

static Suite *
statedir_suite(void)
{
	Suite *s = suite_create("statedir");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_name);
	tcase_add_test(tc, test_write_file);
	tcase_add_test(tc, test_write_files);
	tcase_add_test(tc, test_mkdirs);
	tcase_add_test(tc, test_remove_stale);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(statedir_suite());
}
