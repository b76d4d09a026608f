/* SPDX-License-Identifier: ISC */
/* An output's saved queue: written private and whole, taken back once,
 * an empty one leaves no file, a corrupt one is moved aside. */
#include "autoconf.h"

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "state/queuefile.h"
#include "state/statedir.h"
#include "unit.h"

#define PLAIN	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static char dir[] = "/tmp/jp-queuefile-XXXXXX";

static void
setup(void)
{
	strcpy(dir, "/tmp/jp-queuefile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    strcmp(e->d_name, "..") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

/* The names in dir, sorted, joined by blanks. */
static char *
names(void)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	static char buf[1024];

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (v[i]->d_name[0] != '.' || strlen(v[i]->d_name) > 2) {
			strcat(buf, buf[0] ? " " : "");
			strcat(buf, v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	return buf;
}

START_TEST(test_round_trip)
{
	struct json_object *q = json_tokener_parse("[{\"account\":\"a\","
	    "\"id\":\"x1\",\"event\":{\"event\":\"mail\"}}]"), *back;
	char *file = statedir_file_name("webhook-", "my hook/1", ".queue");
	char path[512];
	struct stat st;

	ck_assert_str_eq(file, "webhook-my%20hook%2F1.queue");
	ck_assert_int_eq(queuefile_save(dir, file, q), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_str_eq(names(), "webhook-my%20hook%2F1.queue");

	back = queuefile_take(dir, file);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_object_to_json_string_ext(back, PLAIN),
	    json_object_to_json_string_ext(q, PLAIN));
	json_object_put(back);
	/* Taken once: the file is gone. */
	ck_assert_str_eq(names(), "");
	ck_assert_ptr_null(queuefile_take(dir, file));

	/* An empty queue removes an older file rather than writing one. */
	ck_assert_int_eq(queuefile_save(dir, file, q), 0);
	json_object_put(q);
	q = json_object_new_array();
	ck_assert_int_eq(queuefile_save(dir, file, q), 0);
	ck_assert_str_eq(names(), "");
	json_object_put(q);
	free(file);
}
END_TEST

START_TEST(test_corrupt)
{
	const char *bad[] = {
		"{\"version\":1,\"queue\":[", "[]", "{\"version\":2,\"queue\":[]}",
		"{\"version\":1,\"queue\":{}}",
	};
	char path[512];
	FILE *f;
	int saved;
	char *log;

	snprintf(path, sizeof(path), "%s/mqtt.queue", dir);
	saved = unit_capture_stderr();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		ck_assert_ptr_null(queuefile_take(dir, "mqtt.queue"));
		ck_assert_int_eq(access(path, F_OK), -1);
	}
	log = unit_stderr_text();
	unit_restore_stderr(saved);
	ck_assert_ptr_nonnull(strstr(log, "mqtt.queue is not a queue file of "
	    "this version: moved aside to "));
	free(log);
	/* Kept for a human (the same second may reuse one name). */
	ck_assert_ptr_nonnull(strstr(names(), "mqtt.queue.corrupt-"));
}
END_TEST

static Suite *
queuefile_suite(void)
{
	Suite *s = suite_create("queuefile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_corrupt);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(queuefile_suite());
}
