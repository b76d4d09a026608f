/* SPDX-License-Identifier: ISC */
/* The state store: round trips, deferred and shared saves, the state
 * directory, failing saves and the bounds on what a server can store
 * (store.c). */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "state/store.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "storetest.h"
#include "unit.h"

START_TEST(test_round_trip)
{
	struct store *s;
	char *path, *text;

	s = store_open(dir, "personal");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(store_push_state(s));
	ck_assert_ptr_null(store_event_id(s));
	ck_assert_ptr_null(store_type_state(s, "u1", "Email"));
	/* nothing loaded, nothing changed: nothing written */
	ck_assert_int_eq(store_save(s), 0);
	text = dir_list();
	ck_assert_str_eq(text, "");
	free(text);

	store_set_push_state(s, "ps/1");
	store_set_event_id(s, "ev1");
	store_set_type_state(s, "u1", "Email", "e1");
	store_set_type_state(s, "u1", "Mailbox", "m1");
	store_set_type_state(s, "u2", "Email", "x");
	store_set_type_state(s, "u2", "Email", NULL);
	store_set_type_state(s, "u3", "Email", NULL);
	ck_assert_str_eq(store_type_state(s, "u1", "Email"), "e1");
	ck_assert_ptr_null(store_type_state(s, "u2", "Email"));
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);

	path = dir_path("personal.state");
	ck_assert_str_eq(store_path(s = store_open(dir, "personal")), path);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"pushState\":\"ps/1\","
	    "\"states\":{\"u1\":{\"Email\":\"e1\",\"Mailbox\":\"m1\"}},"
	    "\"eventId\":\"ev1\"}\n");
	free(text);
	ck_assert_str_eq(store_push_state(s), "ps/1");
	ck_assert_str_eq(store_event_id(s), "ev1");
	ck_assert_str_eq(store_type_state(s, "u1", "Email"), "e1");
	ck_assert_str_eq(store_type_state(s, "u1", "Mailbox"), "m1");
	ck_assert_ptr_null(store_type_state(s, "u1", "Thread"));

	store_set_push_state(s, NULL);
	store_set_event_id(s, NULL);
	store_set_type_state(s, "u1", "Email", "e2");
	ck_assert_int_eq(store_save(s), 0);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e2\",\"Mailbox\":\"m1\"}}}\n");
	free(text);
	text = dir_list();
	ck_assert_str_eq(text, "personal.state");
	free(text);
	store_free(s);
	free(path);
	text = logged();
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

/* A save with nothing changed must not touch the file at all. */
START_TEST(test_noop_save)
{
	struct stat before, after;
	struct store *s;
	char *path = dir_path("a.state");

	s = store_open(dir, "a");
	store_set_push_state(s, "p");
	store_set_type_state(s, "u", "Email", "1");
	ck_assert_int_eq(store_save(s), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	/* setting the same values is no change either */
	store_set_push_state(s, "p");
	store_set_type_state(s, "u", "Email", "1");
	store_set_event_id(s, NULL);
	ck_assert_int_eq(store_save(s), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_int_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	ck_assert_int_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	store_free(s);

	s = store_open(dir, "a");
	ck_assert_int_eq(store_save(s), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	/* a real change replaces the file (a new inode: rename) */
	store_set_push_state(s, "q");
	ck_assert_int_eq(store_save(s), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	ck_assert_int_eq(after.st_mode & 0777, 0600);
	store_free(s);
	free(path);
}
END_TEST

/* A deferred save: nothing on disk at once, one save for every change made
 * meanwhile when the timer fires, and store_free() flushes a pending one. */
/* Stores waiting to be saved share one timer and are saved together;
 * the timer goes with the last of them, and store_flush saves them now. */
START_TEST(test_save_together)
{
	struct event_base *base = event_base_new();
	struct store *a = store_open(dir, "a"), *b = store_open(dir, "b");
	struct stat st;
	char *pa = dir_path("a.state"), *pb = dir_path("b.state");

	store_set_push_state(a, "pa");
	store_set_push_state(b, "pb");
	store_save_later(a, base);
	store_save_later(b, base);
	store_save_later(a, base);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 1);
	ck_assert_int_eq(event_base_dispatch(base), 1);
	ck_assert_int_eq(stat(pa, &st), 0);
	ck_assert_int_eq(stat(pb, &st), 0);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);

	store_set_push_state(a, "pa2");
	store_set_push_state(b, "pb2");
	store_save_later(a, base);
	store_save_later(b, base);
	store_flush();
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	store_free(a);
	store_free(b);
	a = store_open(dir, "a");
	b = store_open(dir, "b");
	ck_assert_str_eq(store_push_state(a), "pa2");
	ck_assert_str_eq(store_push_state(b), "pb2");
	store_free(a);
	store_free(b);
	event_base_free(base);
	free(pa);
	free(pb);
}
END_TEST

START_TEST(test_save_later)
{
	struct event_base *base = event_base_new();
	struct stat st;
	struct store *s;
	char *path = dir_path("a.state");

	s = store_open(dir, "a");
	store_set_push_state(s, "p1");
	store_save_later(s, base);
	store_set_push_state(s, "p2");
	store_save_later(s, base);
	ck_assert_int_eq(stat(path, &st), -1);
	/* The timer is the base's only event: dispatch runs it, then returns
	 * 1 for "nothing left". */
	ck_assert_int_eq(event_base_dispatch(base), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	store_set_push_state(s, "p3");
	store_save_later(s, base);
	store_free(s);

	s = store_open(dir, "a");
	ck_assert_str_eq(store_push_state(s), "p3");
	store_free(s);
	event_base_free(base);
	free(path);
}
END_TEST

START_TEST(test_creates_dir)
{
	char *sub, *subsub;
	struct stat st;
	struct store *s;

	xasprintf(&sub, "%s/state", dir);
	xasprintf(&subsub, "%s/state/jmap-pushd", dir);
	umask(022);
	s = store_open(subsub, "acct");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(subsub, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	store_free(s);
	/* an existing directory is used as it is */
	ck_assert_int_eq(chmod(subsub, 0750), 0);
	s = store_open(subsub, "acct");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(stat(subsub, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	store_free(s);
	free(sub);
	free(subsub);
}
END_TEST

START_TEST(test_dir_unusable)
{
	char *file = dir_path("plainfile"), *under, *text, *want;

	write_file("plainfile", "x");
	ck_assert_ptr_null(store_open(file, "a"));
	xasprintf(&under, "%s/sub", file);
	ck_assert_ptr_null(store_open(under, "a"));
	ck_assert_ptr_null(store_open("", "a"));
	text = logged();
	xasprintf(&want, "warning: state directory %s is not a directory\n"
	    "warning: cannot create state directory %s: Not a directory\n"
	    "warning: the state directory is an empty string\n",
	    file, under);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	free(under);
	free(file);
}
END_TEST













/* Owed hook runs are saved with the states, and given back once. */
START_TEST(test_pending)
{
	struct json_object *p;
	struct store *s;
	char *path = dir_path("acct.state"), *text;

	s = store_open(dir, "acct");
	store_set_type_state(s, "u1", "Email", "e1");
	store_set_pending(s, "sync", "u1", json_tokener_parse(
	    "{\"changed\":{\"Email\":\"e1\"},\"pushState\":\"p1\","
	    "\"reason\":\"push\"}"));
	store_set_pending(s, "other", "u1", json_tokener_parse(
	    "{\"changed\":{},\"reason\":\"resync\"}"));
	store_set_pending(s, "other", "u1", NULL);
	store_set_pending(s, "gone", "u9", NULL);
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e1\"}},\"pending\":{\"sync\":{\"u1\":"
	    "{\"changed\":{\"Email\":\"e1\"},\"pushState\":\"p1\","
	    "\"reason\":\"push\"}}}}\n");
	free(text);

	s = store_open(dir, "acct");
	/* The same run again changes nothing. */
	store_set_pending(s, "sync", "u1", json_tokener_parse(
	    "{\"changed\":{\"Email\":\"e1\"},\"pushState\":\"p1\","
	    "\"reason\":\"push\"}"));
	ck_assert_int_eq(store_save(s), 0);
	p = store_take_pending(s);
	ck_assert_str_eq(json_object_to_json_string_ext(p,
	    JSON_C_TO_STRING_PLAIN), "{\"sync\":{\"u1\":{\"changed\":"
	    "{\"Email\":\"e1\"},\"pushState\":\"p1\",\"reason\":"
	    "\"push\"}}}");
	json_object_put(p);
	/* Nothing left: no object at all (an empty one costs ~750 bytes per
	 * account). */
	ck_assert_ptr_null(store_take_pending(s));
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e1\"}}}\n");
	free(text);
	free(path);
	text = logged();
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST


/* Each JMAP account's mail view is saved with the rest, forgotten on
 * NULL; a file from before it loads as before, without one. */
START_TEST(test_mail)
{
	struct store *s;
	char *path = dir_path("acct.state"), *text;

	write_file("acct.state", "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e1\"}}}\n");
	s = store_open(dir, "acct");
	ck_assert_ptr_null(store_mail(s, "u1"));
	ck_assert_str_eq(store_type_state(s, "u1", "Email"), "e1");
	store_set_mail(s, "u1", json_tokener_parse("{\"version\":1,"
	    "\"emailState\":\"e1\"}"));
	store_set_mail(s, "u2", json_tokener_parse("{\"version\":1}"));
	store_set_mail(s, "u2", NULL);
	store_set_mail(s, "u3", NULL);
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e1\"}},\"mail\":{\"u1\":{\"version\":1,"
	    "\"emailState\":\"e1\"}}}\n");
	free(text);

	s = store_open(dir, "acct");
	ck_assert_str_eq(json_object_to_json_string_ext(store_mail(s, "u1"),
	    JSON_C_TO_STRING_PLAIN), "{\"version\":1,\"emailState\":\"e1\"}");
	/* The same view again changes nothing. */
	store_set_mail(s, "u1", json_tokener_parse("{\"version\":1,"
	    "\"emailState\":\"e1\"}"));
	ck_assert_int_eq(store_save(s), 0);
	store_set_mail(s, "u1", NULL);
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{\"u1\":"
	    "{\"Email\":\"e1\"}}}\n");
	free(text);
	free(path);
	text = logged();
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST


/* The followed notifications are saved with the rest; an empty list or
 * NULL forgets them, the same list again changes nothing. */
START_TEST(test_notify)
{
	struct store *s;
	char *path = dir_path("acct.state"), *text;

	s = store_open(dir, "acct");
	ck_assert_ptr_null(store_notify(s));
	store_set_notify(s, json_tokener_parse("[{\"id\":3}]"));
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{},"
	    "\"notify\":[{\"id\":3}]}\n");
	free(text);

	s = store_open(dir, "acct");
	ck_assert_str_eq(json_object_to_json_string_ext(store_notify(s),
	    JSON_C_TO_STRING_PLAIN), "[{\"id\":3}]");
	store_set_notify(s, json_tokener_parse("[{\"id\":3}]"));
	ck_assert_int_eq(store_save(s), 0);
	store_set_notify(s, json_object_new_array());
	ck_assert_ptr_null(store_notify(s));
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"states\":{}}\n");
	free(text);
	free(path);
	text = logged();
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

/* A view too large for the file is not saved, said once. */
START_TEST(test_mail_too_large)
{
	struct json_object *big = json_object_new_object();
	struct store *s;
	char *name = xcalloc(1, 5 * 1024 * 1024), *text, *want;

	memset(name, 'n', 5 * 1024 * 1024 - 1);
	json_object_object_add(big, "x", json_object_new_string(name));
	s = store_open(dir, "acct");
	store_set_mail(s, "u1", json_tokener_parse("{\"version\":1}"));
	store_set_mail(s, "u1", json_object_get(big));
	store_set_mail(s, "u1", big);
	ck_assert_ptr_null(store_mail(s, "u1"));
	store_free(s);
	text = logged();
	xasprintf(&want, "warning: %s/acct.state: the mail view of u1 is "
	    "%d bytes, more than 4194304; it is not saved, and after a "
	    "restart mail events start afresh\n", dir, 5 * 1024 * 1024 + 7);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	free(name);
}
END_TEST


/* A writer that died mid-write left its temporary file: ignored, removed. */
START_TEST(test_stale_tmp)
{
	struct store *s;
	char *text, *want;
	char live[64];

	write_file("acct.state", "{\"version\":1,\"pushState\":\"old\"}");
	/* pid 2^22+1 is above pid_max on Linux: surely no live process */
	write_file(".acct.state.tmp-4194305", "{\"version\":1,\"pushState\":\"ne");
	/* a live writer's file stays */
	snprintf(live, sizeof(live), ".acct.state.tmp-%d", (int)getppid());
	write_file(live, "{");
	write_file(".other.state.tmp-4194305", "{");
	s = store_open(dir, "acct");
	ck_assert_str_eq(store_push_state(s), "old");
	text = dir_list();
	xasprintf(&want, "%s .other.state.tmp-4194305 acct.state", live);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	store_free(s);
}
END_TEST

/* A failing save leaves the old file intact, and is retried next time. */
START_TEST(test_save_fails_tmp_blocked)
{
	struct store *s;
	char *path = dir_path("acct.state"), *tmpname, *tmp, *text, *want;

	write_file("acct.state", "{\"version\":1,\"pushState\":\"old\"}");
	s = store_open(dir, "acct");
	/* a directory where the temporary file goes: open() fails, even as root */
	xasprintf(&tmpname, ".acct.state.tmp-%d", (int)getpid());
	tmp = dir_path(tmpname);
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	store_set_push_state(s, "new");
	ck_assert_int_eq(store_save(s), -1);
	ck_assert_int_eq(store_save(s), -1);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"pushState\":\"old\"}");
	free(text);
	text = logged();
	xasprintf(&want, "warning: cannot save state file %s: create %s: "
	    "Is a directory\n", path, tmp);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);

	ck_assert_int_eq(rmdir(tmp), 0);
	ck_assert_int_eq(store_save(s), 0);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"pushState\":\"new\","
	    "\"states\":{}}\n");
	free(text);
	text = logged();
	xasprintf(&want, "warning: cannot save state file %s: create %s: "
	    "Is a directory\nstate file %s saved again\n", path, tmp, path);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	store_free(s);
	free(tmp);
	free(tmpname);
	free(path);
}
END_TEST

START_TEST(test_save_fails_read_only_dir)
{
	struct store *s;
	char *path, *text;

	if (geteuid() == 0)
		return;	/* root writes anyway; test_save_fails_tmp_blocked covers it */
	path = dir_path("acct.state");
	write_file("acct.state", "{\"version\":1,\"pushState\":\"old\"}");
	s = store_open(dir, "acct");
	ck_assert_int_eq(chmod(dir, 0500), 0);
	store_set_push_state(s, "new");
	ck_assert_int_eq(store_save(s), -1);
	text = slurp(path);
	ck_assert_str_eq(text, "{\"version\":1,\"pushState\":\"old\"}");
	free(text);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	store_free(s);
	free(path);
}
END_TEST

START_TEST(test_weird_names)
{
	static const struct {
		const char *account, *file;
	} cases[] = {
		{ "personal", "personal.state" },
		{ "a.b_c-D9", "a.b_c-D9.state" },
		{ ".hidden", "%2Ehidden.state" },
		{ "..", "%2E..state" },
		{ "a/b", "a%2Fb.state" },
		{ "../x", "%2E.%2Fx.state" },
		{ "with space", "with%20space.state" },
		{ "50%", "50%25.state" },
		{ "caf\xc3\xa9", "caf%C3%A9.state" },
		{ "", "%.state" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store *s = store_open(dir, cases[i].account);
		char *want = dir_path(cases[i].file);
		struct stat st;

		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(store_path(s), want);
		store_set_push_state(s, cases[i].account);
		ck_assert_int_eq(store_save(s), 0);
		ck_assert_int_eq(stat(want, &st), 0);
		store_free(s);
		s = store_open(dir, cases[i].account);
		ck_assert_str_eq(store_push_state(s), cases[i].account);
		store_free(s);
		free(want);
	}
}
END_TEST

/* A server cannot make the store, or its file, grow without end. */
START_TEST(test_bounded)
{
	struct store *s = store_open(dir, "big");
	char id[32], *want, *log, *path, huge[1100];
	struct stat st;

	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "a%d", i / 10);
		snprintf(huge, sizeof(huge), "T%d", i % 10);
		store_set_type_state(s, id, huge, "s1");
	}
	store_set_type_state(s, "a0", "T0", "s2");
	store_set_type_state(s, "new", "Email", "s1");
	store_set_type_state(s, "a0", "Extra", "s1");
	ck_assert_ptr_null(store_type_state(s, "new", "Email"));
	ck_assert_ptr_null(store_type_state(s, "a0", "Extra"));
	ck_assert_str_eq(store_type_state(s, "a0", "T0"), "s2");
	ck_assert_str_eq(store_type_state(s, "a999", "T9"), "s1");
	/* Forgetting one makes room again. */
	store_set_type_state(s, "a1", "T1", NULL);
	store_set_type_state(s, "new", "Email", "s1");
	ck_assert_str_eq(store_type_state(s, "new", "Email"), "s1");
	ck_assert_int_eq(store_save(s), 0);
	path = xstrdup(store_path(s));
	store_free(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_lt(st.st_size, 16 * 1024 * 1024);

	/* Loaded back, the count goes on from what the file holds. */
	s = store_open(dir, "big");
	store_set_type_state(s, "new2", "Email", "s1");
	ck_assert_ptr_null(store_type_state(s, "new2", "Email"));
	store_free(s);

	s = store_open(dir, "long");
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	store_set_type_state(s, "u1", "Email", huge);
	store_set_type_state(s, "u1", huge, "s1");
	ck_assert_ptr_null(store_type_state(s, "u1", "Email"));
	ck_assert_ptr_null(store_type_state(s, "u1", huge));
	store_set_type_state(s, "u1", "Email", "e1");
	store_set_type_state(s, "u1", "Email", huge);
	ck_assert_str_eq(store_type_state(s, "u1", "Email"), "e1");
	huge[1000] = '\0';
	store_set_type_state(s, "u1", "Email", huge);
	ck_assert_str_eq(store_type_state(s, "u1", "Email"), huge);
	store_free(s);

	log = logged();
	xasprintf(&want, "warning: state %s: the server sent more states than "
	    "the 10000 kept (or names longer than 1024 bytes); changes of the "
	    "others are still delivered but not remembered across restarts\n"
	    "warning: state %s: the server sent more states than "
	    "the 10000 kept (or names longer than 1024 bytes); changes of the "
	    "others are still delivered but not remembered across restarts\n"
	    "warning: state %s/long.state: the server sent more states than "
	    "the 10000 kept (or names longer than 1024 bytes); changes of the "
	    "others are still delivered but not remembered across restarts\n",
	    path, path, dir);
	ck_assert_str_eq(log, want);
	free(log);
	free(want);
	free(path);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, storetest_setup, storetest_teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_mail);
	tcase_add_test(tc, test_mail_too_large);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_noop_save);
	tcase_add_test(tc, test_save_later);
	tcase_add_test(tc, test_save_together);
	tcase_add_test(tc, test_creates_dir);
	tcase_add_test(tc, test_dir_unusable);
	tcase_add_test(tc, test_pending);
	tcase_add_test(tc, test_stale_tmp);
	tcase_add_test(tc, test_save_fails_tmp_blocked);
	tcase_add_test(tc, test_save_fails_read_only_dir);
	tcase_add_test(tc, test_weird_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(store_suite());
}
