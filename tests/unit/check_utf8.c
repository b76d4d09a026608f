/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "util/json.h"
#include "util/log.h"
#include "util/utf8.h"
#include "unit.h"

#define R	UTF8_REPLACEMENT

START_TEST(test_seqlen)
{
	ck_assert_uint_eq(utf8_seqlen("a", 1), 1);
	ck_assert_uint_eq(utf8_seqlen("", 1), 1);	/* NUL is a character */
	ck_assert_uint_eq(utf8_seqlen("\xc3\xa9", 2), 2);
	ck_assert_uint_eq(utf8_seqlen("\xe2\x82\xac", 3), 3);
	ck_assert_uint_eq(utf8_seqlen("\xf0\x9f\x98\x80", 4), 4);
	ck_assert_uint_eq(utf8_seqlen("\xf4\x8f\xbf\xbf", 4), 4);
	/* truncated, stray continuation, overlong, surrogate, too high */
	ck_assert_uint_eq(utf8_seqlen("\xc3\xa9", 1), 0);
	ck_assert_uint_eq(utf8_seqlen("\x80", 1), 0);
	ck_assert_uint_eq(utf8_seqlen("\xc0\xaf", 2), 0);
	ck_assert_uint_eq(utf8_seqlen("\xe0\x80\xaf", 3), 0);
	ck_assert_uint_eq(utf8_seqlen("\xed\xa0\x80", 3), 0);
	ck_assert_uint_eq(utf8_seqlen("\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(utf8_seqlen("\xff", 1), 0);
	ck_assert_uint_eq(utf8_seqlen("\xc3(", 2), 0);
	ck_assert_uint_eq(utf8_seqlen("x", 0), 0);
}
END_TEST

START_TEST(test_valid)
{
	ck_assert(utf8_valid("", 0));
	ck_assert(utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9));
	ck_assert(utf8_valid("a\0b", 3));
	ck_assert(!utf8_valid("caf\xc3", 4));
	ck_assert(!utf8_valid("\xed\xbf\xbf", 3));
}
END_TEST

START_TEST(test_sanitize)
{
	size_t len;
	char *s;

	s = utf8_sanitize("ok \xc3\xa9", 5, &len);
	ck_assert_str_eq(s, "ok \xc3\xa9");
	ck_assert_uint_eq(len, 5);
	free(s);
	/* each ill-formed byte on its own: \xc3 starts nothing valid here */
	s = utf8_sanitize("x\xff\xc3(\xe2\x82", 6, &len);
	ck_assert_str_eq(s, "x" R R "(" R R);
	ck_assert_uint_eq(len, 14);
	free(s);
	s = utf8_sanitize("a\0\x80", 3, &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(s, "a\0" R, 6);
	free(s);
	s = utf8_sanitize("", 0, NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_line)
{
	char buf[16];

	ck_assert_str_eq(utf8_line(buf, sizeof(buf), "a\nb\tc\x1b[2J"),
	    "a?b\tc?[2J");
	ck_assert_str_eq(utf8_line(buf, sizeof(buf), "\xc2\x9b" "1m\x7f"),
	    "?1m?");
	ck_assert_str_eq(utf8_line(buf, sizeof(buf), "\xff\xc3\xa9"),
	    R "\xc3\xa9");
	/* cut on a character boundary: 15 bytes of room, then the NUL */
	ck_assert_str_eq(utf8_line(buf, sizeof(buf),
	    "abcdefghijklm\xe2\x82\xac"), "abcdefghijklm");
	ck_assert_str_eq(utf8_line(buf, sizeof(buf),
	    "abcdefghijkl\xe2\x82\xac!"), "abcdefghijkl\xe2\x82\xac");
}
END_TEST

/* What a server sends reaches every output through this parser. */
START_TEST(test_json_repaired)
{
	const char in[] = "{\"t\xff\":\"s\xc3\",\"u\":\"\\ud800\",\"ok\":"
	    "\"\xc3\xa9\"}";
	struct json_object *root = NULL;
	char err[128];
	const char *out;

	ck_assert_int_eq(jsonu_parse_buffer(in, sizeof(in) - 1, 4, &root, err,
	    sizeof(err)), 0);
	out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	ck_assert_str_eq(out, "{\"t" R "\":\"s" R "\",\"u\":\"" R "\","
	    "\"ok\":\"\xc3\xa9\"}");
	json_object_put(root);
	/* the repair cannot turn invalid JSON into JSON */
	ck_assert_int_eq(jsonu_parse_buffer("{\"a\":\xff}", 7, 4, &root, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid JSON at offset 5");
}
END_TEST

START_TEST(test_log_line)
{
	int saved = unit_capture_stderr();
	char *text;

	log_init(LOG_INFO);
	log_info("type %s", "Evil\n2026-01-01 00:00:00.000 forged\xff");
	text = unit_stderr_text();
	unit_restore_stderr(saved);
	ck_assert_ptr_nonnull(strstr(text,
	    " type Evil?2026-01-01 00:00:00.000 forged" R "\n"));
	ck_assert_ptr_null(strstr(text, "\nforged"));
	free(text);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seqlen);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_json_repaired);
	tcase_add_test(tc, test_log_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(utf8_suite());
}
