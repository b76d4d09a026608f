/* SPDX-License-Identifier: ISC */
/* The Mailbox cache: updates, paths (nested, cycles, missing parents),
 * hostile strings, and saving and restoring. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/mailbox.h"
#include "util/utf8.h"
#include "unit.h"

static void
update(struct mailbox_cache *c, const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	ck_assert(mailbox_update(c, o));
	json_object_put(o);
}

static const char *
path_of(const struct mailbox_cache *c, const char *id)
{
	struct mailbox *m = mailbox_find(c, id);

	ck_assert_ptr_nonnull(m);
	return m->path;
}

START_TEST(nested_paths)
{
	struct mailbox_cache c = { 0 };

	update(&c, "{\"id\":\"P\",\"name\":\"Projects\",\"parentId\":\"W\"}");
	update(&c, "{\"id\":\"W\",\"name\":\"Work\",\"parentId\":null}");
	update(&c, "{\"id\":\"X\",\"name\":\"a/b\",\"parentId\":\"P\"}");
	update(&c, "{\"id\":\"I\",\"name\":\"Inbox\",\"role\":\"inbox\","
	    "\"totalEmails\":7,\"unreadEmails\":2}");
	mailbox_cache_paths(&c);
	ck_assert_str_eq(path_of(&c, "I"), "Inbox");
	ck_assert_str_eq(path_of(&c, "W"), "Work");
	ck_assert_str_eq(path_of(&c, "P"), "Work/Projects");
	/* A '/' inside a name stays as the server wrote it. */
	ck_assert_str_eq(path_of(&c, "X"), "Work/Projects/a/b");
	ck_assert_str_eq(mailbox_find(&c, "I")->role, "inbox");
	ck_assert_ptr_null(mailbox_find(&c, "W")->role);
	ck_assert_int_eq(mailbox_find(&c, "I")->total, 7);
	ck_assert_int_eq(mailbox_find(&c, "I")->unread, 2);
	/* by_path: Inbox, Work, Work/Projects, Work/Projects/a/b. */
	ck_assert_str_eq(c.v[c.by_path[0]].id, "I");
	ck_assert_str_eq(c.v[c.by_path[1]].id, "W");
	ck_assert_str_eq(c.v[c.by_path[2]].id, "P");
	ck_assert_str_eq(c.v[c.by_path[3]].id, "X");

	/* Only the properties present change (updatedProperties). */
	update(&c, "{\"id\":\"I\",\"unreadEmails\":5}");
	ck_assert_str_eq(mailbox_find(&c, "I")->name, "Inbox");
	ck_assert_str_eq(mailbox_find(&c, "I")->role, "inbox");
	ck_assert_int_eq(mailbox_find(&c, "I")->total, 7);
	ck_assert_int_eq(mailbox_find(&c, "I")->unread, 5);
	/* A rename moves every path below. */
	update(&c, "{\"id\":\"W\",\"name\":\"Job\"}");
	mailbox_cache_paths(&c);
	ck_assert_str_eq(path_of(&c, "X"), "Job/Projects/a/b");
	mailbox_remove(&c, "P");
	mailbox_cache_paths(&c);
	ck_assert_ptr_null(mailbox_find(&c, "P"));
	/* The parent is gone: the path starts where the walk stopped. */
	ck_assert_str_eq(path_of(&c, "X"), "a/b");
	ck_assert_uint_eq(c.n, 3);
	mailbox_cache_clear(&c);
}
END_TEST

START_TEST(cycles)
{
	struct mailbox_cache c = { 0 };
	char id[16], json[128];

	update(&c, "{\"id\":\"A\",\"name\":\"a\",\"parentId\":\"B\"}");
	update(&c, "{\"id\":\"B\",\"name\":\"b\",\"parentId\":\"A\"}");
	update(&c, "{\"id\":\"S\",\"name\":\"self\",\"parentId\":\"S\"}");
	update(&c, "{\"id\":\"C\",\"name\":\"c\",\"parentId\":\"A\"}");
	mailbox_cache_paths(&c);
	ck_assert_str_eq(path_of(&c, "A"), "b/a");
	ck_assert_str_eq(path_of(&c, "B"), "a/b");
	ck_assert_str_eq(path_of(&c, "S"), "self");
	ck_assert_str_eq(path_of(&c, "C"), "b/a/c");
	mailbox_cache_clear(&c);

	/* 300 levels: the walk stops at MAILBOX_DEPTH_MAX names. */
	for (int i = 0; i < 300; i++) {
		snprintf(json, sizeof(json), "{\"id\":\"%d\",\"name\":\"x\","
		    "\"parentId\":\"%d\"}", i, i - 1);
		update(&c, json);
	}
	mailbox_cache_paths(&c);
	snprintf(id, sizeof(id), "%d", 299);
	ck_assert_uint_eq(strlen(path_of(&c, id)), 2 * MAILBOX_DEPTH_MAX - 1);
	ck_assert_str_eq(path_of(&c, "0"), "x");
	mailbox_cache_clear(&c);
}
END_TEST

START_TEST(hostile_strings)
{
	struct mailbox_cache c = { 0 };
	struct json_object *o;
	char *big, *json, *s;
	size_t n;

	/* Invalid UTF-8 bytes, a NUL, an unpaired surrogate, a newline. */
	update(&c, "{\"id\":\"H\",\"name\":\"a\xff\xc3(\\u0000b\\ud800c\\n;"
	    "$(x)\"}");
	mailbox_cache_paths(&c);
	ck_assert_str_eq(path_of(&c, "H"), "a\xef\xbf\xbd\xef\xbf\xbd(\xef"
	    "\xbf\xbd" "b\xef\xbf\xbd" "c\n;$(x)");

	/* 20,000 bytes of a 3-byte character: cut whole at 16,383. */
	big = malloc(20000 + 1);
	for (n = 0; n < 19998; n += 3)
		memcpy(big + n, "\xe2\x82\xac", 3);
	big[n] = '\0';
	json = malloc(n + 64);
	snprintf(json, n + 64, "{\"id\":\"L\",\"name\":\"%s\",\"parentId\":"
	    "\"H\"}", big);
	update(&c, json);
	mailbox_cache_paths(&c);
	ck_assert_uint_eq(strlen(mailbox_find(&c, "L")->name), 16383);
	/* "H's path/", then as many whole characters as fit in 16 KiB. */
	n = strlen(path_of(&c, "H")) + 1;
	ck_assert_uint_eq(strlen(path_of(&c, "L")),
	    n + (MAILBOX_STR_MAX - n) / 3 * 3);
	ck_assert(utf8_valid(path_of(&c, "L"), strlen(path_of(&c, "L"))));
	ck_assert(strncmp(path_of(&c, "L"), "a\xef\xbf\xbd", 4) == 0);

	/* Not a string: no copy. */
	o = json_object_new_int(3);
	ck_assert_ptr_null(mailbox_string(o));
	json_object_put(o);
	o = json_object_new_string_len("x\0y", 3);
	s = mailbox_string(o);
	ck_assert_str_eq(s, "x\xef\xbf\xbdy");
	free(s);
	json_object_put(o);
	/* No id, or not an object: nothing changes. */
	o = json_tokener_parse("{\"name\":\"x\"}");
	ck_assert(!mailbox_update(&c, o));
	json_object_put(o);
	o = json_tokener_parse("{\"id\":\"\xff\",\"name\":\"x\"}");
	ck_assert(!mailbox_update(&c, o));
	json_object_put(o);
	o = json_tokener_parse("{\"id\":\"\",\"name\":\"x\"}");
	ck_assert(!mailbox_update(&c, o));
	json_object_put(o);
	ck_assert_uint_eq(c.n, 2);
	free(big);
	free(json);
	mailbox_cache_clear(&c);
}
END_TEST

START_TEST(save_restore)
{
	struct mailbox_cache c = { 0 }, r = { 0 }, copy;
	struct json_object *saved, *bad;

	update(&c, "{\"id\":\"W\",\"name\":\"Work\",\"totalEmails\":3,"
	    "\"unreadEmails\":1}");
	update(&c, "{\"id\":\"P\",\"name\":\"P\",\"parentId\":\"W\","
	    "\"role\":\"archive\",\"totalEmails\":-4}");
	mailbox_set_state(&c, "m7");
	mailbox_set_email_state(&c, "e9");
	mailbox_cache_paths(&c);
	saved = mailbox_cache_save(&c);
	ck_assert_str_eq(json_object_to_json_string_ext(saved,
	    JSON_C_TO_STRING_PLAIN), "{\"version\":1,\"mailboxState\":\"m7\","
	    "\"emailState\":\"e9\",\"mailboxes\":[{\"id\":\"P\",\"name\":\"P\","
	    "\"parentId\":\"W\",\"role\":\"archive\",\"totalEmails\":0,"
	    "\"unreadEmails\":0},{\"id\":\"W\",\"name\":\"Work\",\"parentId\":"
	    "null,\"role\":null,\"totalEmails\":3,\"unreadEmails\":1}]}");
	ck_assert_int_eq(mailbox_cache_restore(&r, saved), 0);
	ck_assert_str_eq(r.state, "m7");
	ck_assert_str_eq(r.email_state, "e9");
	ck_assert_str_eq(path_of(&r, "P"), "Work/P");
	ck_assert_int_eq(mailbox_find(&r, "W")->unread, 1);

	mailbox_cache_copy(&copy, &r);
	ck_assert_str_eq(path_of(&copy, "P"), "Work/P");
	ck_assert_str_eq(copy.v[copy.by_path[0]].id, "W");
	mailbox_cache_clear(&copy);

	bad = json_tokener_parse("{\"version\":2,\"mailboxes\":[]}");
	ck_assert_int_eq(mailbox_cache_restore(&r, bad), -1);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_ptr_null(r.state);
	json_object_put(bad);
	bad = json_tokener_parse("{\"version\":1,\"mailboxState\":4,"
	    "\"mailboxes\":[]}");
	ck_assert_int_eq(mailbox_cache_restore(&r, bad), -1);
	json_object_put(bad);
	bad = json_tokener_parse("{\"version\":1,\"mailboxes\":[{}]}");
	ck_assert_int_eq(mailbox_cache_restore(&r, bad), -1);
	ck_assert_uint_eq(r.n, 0);
	json_object_put(bad);
	ck_assert_int_eq(mailbox_cache_restore(&r, NULL), -1);
	json_object_put(saved);
	mailbox_cache_clear(&c);
	mailbox_cache_clear(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mailbox");
	TCase *tc = tcase_create("mailbox");

	tcase_add_test(tc, nested_paths);
	tcase_add_test(tc, cycles);
	tcase_add_test(tc, hostile_strings);
	tcase_add_test(tc, save_restore);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
