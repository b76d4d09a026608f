/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "transport/sse.h"
#include "util/xmalloc.h"
#include "unit.h"

/* Every event as "type|data|last_id\n", data bytes as they came. */
struct rec {
	char *s;
	size_t len;
	int n;
};

static void
rec_add(struct rec *r, const char *s, size_t n)
{
	r->s = xrealloc(r->s, r->len + n + 1);
	memcpy(r->s + r->len, s, n);
	r->len += n;
	r->s[r->len] = '\0';
}

static void
on_event(const struct sse_event *ev, void *arg)
{
	struct rec *r = arg;

	ck_assert_ptr_nonnull(ev->type);
	ck_assert_ptr_nonnull(ev->data);
	ck_assert_ptr_nonnull(ev->last_id);
	ck_assert_int_eq(ev->data[ev->data_len], '\0');
	rec_add(r, ev->type, strlen(ev->type));
	rec_add(r, "|", 1);
	rec_add(r, ev->data, ev->data_len);
	rec_add(r, "|", 1);
	rec_add(r, ev->last_id, strlen(ev->last_id));
	rec_add(r, "\n", 1);
	r->n++;
}

struct outcome {
	struct rec rec;
	char *last_id;
	char *error;
	uint64_t retry;
	size_t pending;
};

static void
outcome_clear(struct outcome *o)
{
	free(o->rec.s);
	free(o->last_id);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

/* Feeds s in the chunks whose ends are cuts[0..ncuts-1] (then the rest). */
static void
run_cuts(const char *s, size_t len, size_t max, const size_t *cuts,
    size_t ncuts, struct outcome *o)
{
	struct sse_parser *p;
	size_t at = 0, i;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	p = sse_new(max, on_event, &o->rec);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		if (sse_feed(p, s + at, end - at) == -1)
			rc = -1;
		else
			ck_assert_int_eq(rc, 0);
		ck_assert_uint_le(sse_memory(p), 4 * (max + 1));
		at = end;
	}
	ck_assert_int_eq(rc == -1, sse_error(p) != NULL);
	o->last_id = xstrdup(sse_last_event_id(p));
	o->error = sse_error(p) ? xstrdup(sse_error(p)) : NULL;
	o->retry = sse_retry_ms(p);
	o->pending = sse_pending(p);
	sse_free(p);
}

static void
outcome_eq(const struct outcome *a, const struct outcome *b, const char *how)
{
	ck_assert_msg(a->rec.len == b->rec.len && (a->rec.len == 0 ||
	    memcmp(a->rec.s, b->rec.s, a->rec.len) == 0),
	    "%s: '%s' vs '%s'", how, a->rec.s ? a->rec.s : "",
	    b->rec.s ? b->rec.s : "");
	ck_assert_str_eq(a->last_id, b->last_id);
	ck_assert_pstr_eq(a->error, b->error);
	ck_assert_uint_eq(a->retry, b->retry);
	ck_assert_uint_eq(a->pending, b->pending);
}

/*
 * Feeds the stream whole, byte by byte and split in two at every position:
 * each way must give want (the events), want_id, want_error and want_pending.
 */
static void
check_stream_max(const char *s, size_t len, size_t max, const char *want,
    size_t want_len, const char *want_id, const char *want_error,
    size_t want_pending)
{
	struct outcome whole, o;
	size_t *cuts, i;

	run_cuts(s, len, max, NULL, 0, &whole);
	ck_assert_msg(whole.rec.len == want_len && (want_len == 0 ||
	    memcmp(whole.rec.s, want, want_len) == 0),
	    "got '%s' want '%s'", whole.rec.s ? whole.rec.s : "", want);
	ck_assert_str_eq(whole.last_id, want_id);
	ck_assert_pstr_eq(whole.error, want_error);
	ck_assert_uint_eq(whole.pending, want_pending);

	cuts = xcalloc(len + 1, sizeof(*cuts));
	for (i = 0; i < len; i++)
		cuts[i] = i;
	run_cuts(s, len, max, cuts, len, &o);
	outcome_eq(&whole, &o, "byte by byte");
	outcome_clear(&o);
	for (i = 0; i <= len; i++) {
		run_cuts(s, len, max, &i, 1, &o);
		outcome_eq(&whole, &o, "split in two");
		outcome_clear(&o);
	}
	free(cuts);
	outcome_clear(&whole);
}

#define CHECK(s, want, id) \
	check_stream_max(s, sizeof(s) - 1, 65536, want, sizeof(want) - 1, \
	    id, NULL, 0)

static uint64_t
retry_of(const char *s)
{
	struct outcome o;
	uint64_t ms;

	run_cuts(s, strlen(s), 65536, NULL, 0, &o);
	ck_assert_ptr_null(o.error);
	ms = o.retry;
	outcome_clear(&o);
	return ms;
}

START_TEST(test_line_endings)
{
	CHECK("data: a\n\n", "message|a|\n", "");
	CHECK("data: a\r\n\r\n", "message|a|\n", "");
	CHECK("data: a\r\r", "message|a|\n", "");
	CHECK("data: a\rdata: b\r\ndata: c\n\r", "message|a\nb\nc|\n", "");
	/* LF CR is two line ends; CR LF is one. */
	CHECK("data: a\n\rdata: b\r\n\r\n", "message|a|\nmessage|b|\n", "");
	CHECK("data: a\r\n\ndata: b\r\r\n", "message|a|\nmessage|b|\n", "");
	CHECK("\r\n\r\n\n\rdata: a\n\n", "message|a|\n", "");
}
END_TEST

START_TEST(test_cr_lf_across_feeds)
{
	struct rec r = { 0 };
	struct sse_parser *p = sse_new(1024, on_event, &r);

	ck_assert_int_eq(sse_feed(p, "data: x\r", 8), 0);
	ck_assert_int_eq(sse_feed(p, "\n", 1), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_uint_eq(sse_pending(p), 2);
	ck_assert_int_eq(sse_feed(p, "data: y\r", 8), 0);
	ck_assert_int_eq(sse_feed(p, "", 0), 0);
	ck_assert_int_eq(sse_feed(p, "\r", 1), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_str_eq(r.s, "message|x\ny|\n");
	ck_assert_uint_eq(sse_pending(p), 0);
	/* The CR ended the blank line: a following LF is part of it. */
	ck_assert_int_eq(sse_feed(p, "\ndata: z\n\n", 10), 0);
	ck_assert_str_eq(r.s, "message|x\ny|\nmessage|z|\n");
	sse_free(p);
	free(r.s);
}
END_TEST

START_TEST(test_split_everywhere)
{
	static const char s[] =
	    "\xef\xbb\xbf: welcome\r\n"
	    "retry: 2500\r\n"
	    "event: state\r\n"
	    "id: s1\r\n"
	    "data: {\"a\":1,\r\n"
	    "data: \"b\":2}\r\n"
	    "\r\n"
	    ":\n"
	    "data\n"
	    "\n"
	    "event: ping\r"
	    "data: {\"interval\":30000}\r"
	    "\r"
	    "id\n"
	    "data:x\n"
	    "\n"
	    "id: 3\n"
	    "\n"
	    "data: tail";
	static const char want[] =
	    "state|{\"a\":1,\n\"b\":2}|s1\n"
	    "message||s1\n"
	    "ping|{\"interval\":30000}|s1\n"
	    "message|x|\n";
	struct outcome o;

	check_stream_max(s, sizeof(s) - 1, 65536, want, sizeof(want) - 1,
	    "3", NULL, 10);
	run_cuts(s, sizeof(s) - 1, 65536, NULL, 0, &o);
	ck_assert_uint_eq(o.retry, 2500);
	outcome_clear(&o);
}
END_TEST

START_TEST(test_bom)
{
	CHECK("\xef\xbb\xbf" "data: a\n\n", "message|a|\n", "");
	CHECK("\xef\xbb\xbf" ": c\ndata: a\n\n", "message|a|\n", "");
	/* Only one BOM, only at the very start: the rest is text. */
	CHECK("\xef\xbb\xbf\xef\xbb\xbf" "data: a\n\n", "", "");
	CHECK("\xef\xbb\xbf" "data: \xef\xbb\xbf" "a\n\n",
	    "message|\xef\xbb\xbf" "a|\n", "");
	CHECK("data: a\n\n\xef\xbb\xbf" "data: b\n\n", "message|a|\n", "");
	CHECK("\n\xef\xbb\xbf" "data: b\n\n", "", "");
	/* A partial BOM is text too (a field with an odd name). */
	CHECK("\xef\xbb" "data: a\n\n", "", "");
	CHECK("\xef" "data: a\n\n", "", "");
	CHECK("\xef\xbb\n" "data: a\n\n", "message|a|\n", "");
	CHECK("\xef\xbb\xbf", "", "");
	check_stream_max("\xef\xbb", 2, 65536, "", 0, "", NULL, 2);
	check_stream_max("\xef\xbb\xbf" "data: ab", 11, 65536, "", 0, "", NULL,
	    8);
}
END_TEST

START_TEST(test_data_lines)
{
	CHECK("data: a\ndata: b\ndata:c\n\n", "message|a\nb\nc|\n", "");
	CHECK("data\n\n", "message||\n", "");
	CHECK("data:\n\n", "message||\n", "");
	CHECK("data: \n\n", "message||\n", "");
	CHECK("data\ndata\n\n", "message|\n|\n", "");
	CHECK("data:\ndata: x\ndata\n\n", "message|\nx\n|\n", "");
	CHECK("data: a:b: c\n\n", "message|a:b: c|\n", "");
	CHECK("data: a\0b\n\n", "message|a\0b|\n", "");
	CHECK("data: {}\n\n\n\ndata: []\n\n", "message|{}|\nmessage|[]|\n", "");
}
END_TEST

START_TEST(test_fields)
{
	CHECK("event: state\nid: 42\nretry: 5000\n: comment\ndata: x\n\n"
	    "data: y\n\n",
	    "state|x|42\nmessage|y|42\n", "42");
	ck_assert_uint_eq(retry_of("retry: 5000\n"), 5000);
	/* The last event and id lines win. */
	CHECK("event: a\nid: 1\nevent: b\nid: 2\ndata: x\n\n", "b|x|2\n", "2");
	CHECK("event:\ndata: x\n\n", "message|x|\n", "");
	CHECK("event\ndata: x\n\n", "message|x|\n", "");
	/* An empty id clears the last event ID. */
	CHECK("id: 1\ndata: x\n\nid\ndata: y\n\n", "message|x|1\nmessage|y|\n",
	    "");
	CHECK("id: 1\ndata: x\n\nid:\ndata: y\n\n",
	    "message|x|1\nmessage|y|\n", "");
	/* Unknown fields and field names are matched exactly. */
	CHECK("foo: bar\nData: x\ndata : y\n data: z\ndata\0: w\n"
	    "Event: no\ndata: v\n\n", "message|v|\n", "");
	/* A name with a NUL is no name a listener could want: dropped. */
	CHECK("event: state\0x\ndata: a\n\ndata: b\n\n", "message|b|\n", "");
	CHECK("event: \0\ndata: a\n\nevent: \0\nevent: ok\ndata: b\n\n",
	    "ok|b|\n", "");
	CHECK(": only a comment\n\n", "", "");
	CHECK(":\n:data: x\n\n", "", "");
	CHECK("data: a\n: in between\ndata: b\n\n", "message|a\nb|\n", "");
}
END_TEST

START_TEST(test_space_stripping)
{
	CHECK("data:  two\n\n", "message| two|\n", "");
	CHECK("data:x \n\n", "message|x |\n", "");
	CHECK("data:\tx\n\n", "message|\tx|\n", "");
	CHECK("event:  ping\ndata: x\n\n", " ping|x|\n", "");
	CHECK("id:  7\ndata: x\n\n", "message|x| 7\n", " 7");
	CHECK("data:   \n\n", "message|  |\n", "");
}
END_TEST

START_TEST(test_id_with_nul)
{
	static const char s[] = "id: 1\n\nid: 2\0x\ndata: a\n\nid: \0\n";

	check_stream_max(s, sizeof(s) - 1, 65536, "message|a|1\n", 12, "1",
	    NULL, 0);
}
END_TEST

START_TEST(test_retry)
{
	ck_assert_uint_eq(retry_of(""), 0);
	ck_assert_uint_eq(retry_of("retry: 1000\nretry: 12a\nretry: -5\n"
	    "retry:  300\nretry: 3.5\nretry: +4\nretry\nretry:\nretry: 0x10\n"
	    "retry: 1e3\nretry: \xd9\xa3\n"), 1000);
	ck_assert_uint_eq(retry_of("retry: 1000\nretry:0\n"), 0);
	ck_assert_uint_eq(retry_of("retry:007\n"), 7);
	ck_assert_uint_eq(retry_of("retry: 18446744073709551615\n"),
	    UINT64_MAX);
	ck_assert_uint_eq(retry_of("retry: 99999999999999999999999\n"),
	    UINT64_MAX);
	/* A retry field is not an event. */
	CHECK("retry: 10\n\n", "", "");
}
END_TEST

START_TEST(test_dispatch_without_data)
{
	CHECK("id: 9\n\n", "", "9");
	CHECK("id: 9\nevent: foo\n\ndata: x\n\n", "message|x|9\n", "9");
	CHECK("event: foo\n\n\n\n", "", "");
}
END_TEST

START_TEST(test_ends_mid_event)
{
	check_stream_max("data: a\n\ndata: b\n", 17, 65536, "message|a|\n", 11,
	    "", NULL, 2);
	check_stream_max("data: partial", 13, 65536, "", 0, "", NULL, 13);
	check_stream_max("event: x\ndata: yz\n", 18, 65536, "", 0, "", NULL, 4);
	check_stream_max("data: a\r", 8, 65536, "", 0, "", NULL, 2);
	/* An id counts once a blank line dispatches: the last event ID
	 * string, not the buffer, is what a reconnection sends. */
	check_stream_max("id: 5\ndata: a\n", 14, 65536, "", 0, "", NULL, 2);
	/* Nothing would be dispatched: nothing is pending. */
	check_stream_max(": keep-alive", 12, 65536, "", 0, "", NULL, 0);
	check_stream_max("id: 5\n", 6, 65536, "", 0, "", NULL, 0);
	check_stream_max("id: 5\n\n", 7, 65536, "", 0, "5", NULL, 0);
}
END_TEST

START_TEST(test_max_event)
{
	/* Exactly at the bounds: a 16-byte line, a 16-byte event. */
	check_stream_max("data:0123456789a\n\n", 18, 16,
	    "message|0123456789a|\n", 21, "", NULL, 0);
	check_stream_max("data:0123456\ndata:0123456\n\n", 27, 16,
	    "message|0123456\n0123456|\n", 25, "", NULL, 0);
	check_stream_max("event:0123456\ndata:01234567\n\n", 29, 16,
	    "0123456|01234567|\n", 18, "", NULL, 0);
	/* One byte more. */
	check_stream_max("data: a\n\ndata:0123456789ab\n\n", 28, 16,
	    "message|a|\n", 11, "", "line longer than 16 bytes", 0);
	check_stream_max("data:0123456789ab", 17, 16, "", 0, "",
	    "line longer than 16 bytes", 0);
	check_stream_max("id: 1\ndata:0123456\ndata:01234567\n\n", 34, 16, "",
	    0, "", "event larger than 16 bytes", 0);
	check_stream_max("data:0123456\nevent:012345678\n\n", 30, 16, "", 0,
	    "", "event larger than 16 bytes", 0);
	/* Comments are dropped, not kept: any length is fine. */
	check_stream_max(":0123456789abcdefghijklmnopq\ndata: a\n\n", 38, 16,
	    "message|a|\n", 11, "", NULL, 0);
	check_stream_max("data: a\n\n:0123456789abcdefghijklmnopq", 37, 16,
	    "message|a|\n", 11, "", NULL, 0);
	/* Unknown fields are lines, and lines are bounded. */
	check_stream_max("unknown-field-with-a-long-name\n", 31, 16, "", 0, "",
	    "line longer than 16 bytes", 0);
}
END_TEST

START_TEST(test_max_event_memory)
{
	struct rec r = { 0 };
	struct sse_parser *p = sse_new(65536, on_event, &r);
	char chunk[1000];
	int i, rc = 0;

	/* One endless line. */
	memset(chunk, 'x', sizeof(chunk));
	memcpy(chunk, "data: ", 6);
	for (i = 0; i < 1000 && rc == 0; i++) {
		rc = sse_feed(p, chunk, sizeof(chunk));
		ck_assert_uint_le(sse_memory(p), 4 * 65537);
		memset(chunk, 'x', 6);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(i, 66);
	ck_assert_str_eq(sse_error(p), "line longer than 65536 bytes");
	ck_assert_int_eq(sse_feed(p, "\n\n", 2), -1);
	ck_assert_int_eq(r.n, 0);
	ck_assert_uint_eq(sse_pending(p), 0);
	sse_free(p);

	/* Endless data lines without a blank one. */
	p = sse_new(65536, on_event, &r);
	ck_assert_ptr_null(sse_error(p));
	ck_assert_int_eq(sse_feed(p, "id: 77\n\n", 8), 0);
	memcpy(chunk, "data: ", 6);
	chunk[sizeof(chunk) - 1] = '\n';
	rc = 0;
	for (i = 0; i < 1000 && rc == 0; i++)
		rc = sse_feed(p, chunk, sizeof(chunk));
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(i, 66);
	ck_assert_uint_le(sse_memory(p), 4 * 65537);
	ck_assert_str_eq(sse_error(p), "event larger than 65536 bytes");
	ck_assert_str_eq(sse_last_event_id(p), "77");
	ck_assert_int_eq(r.n, 0);
	sse_free(p);
	sse_free(NULL);
}
END_TEST

START_TEST(test_cyrus)
{
	CHECK(": keepalive\n\n"
	    "event: state\n"
	    "id: 8f0d2b7c\n"
	    "data: {\"@type\":\"StateChange\",\"changed\":{\"user1\":"
	    "{\"Email\":\"4711\",\"Mailbox\":\"4712\"}}}\n"
	    "\n"
	    ": keepalive\n\n"
	    "event: state\n"
	    "id: 8f0d2b7d\n"
	    "data: {\"@type\":\"StateChange\",\"changed\":{\"user1\":"
	    "{\"Email\":\"4713\"}}}\n"
	    "\n",
	    "state|{\"@type\":\"StateChange\",\"changed\":{\"user1\":"
	    "{\"Email\":\"4711\",\"Mailbox\":\"4712\"}}}|8f0d2b7c\n"
	    "state|{\"@type\":\"StateChange\",\"changed\":{\"user1\":"
	    "{\"Email\":\"4713\"}}}|8f0d2b7d\n", "8f0d2b7d");
}
END_TEST

START_TEST(test_fastmail)
{
	CHECK("retry: 5000\r\n"
	    "event: state\r\n"
	    "data: {\"changed\":{\r\n"
	    "data: \"u2f3a\":{\"Email\":\"J7\",\r\n"
	    "data: \"Thread\":\"J7\"}},\r\n"
	    "data: \"@type\":\"StateChange\"}\r\n"
	    "\r\n"
	    ":\r\n",
	    "state|{\"changed\":{\n\"u2f3a\":{\"Email\":\"J7\",\n"
	    "\"Thread\":\"J7\"}},\n\"@type\":\"StateChange\"}|\n", "");
	ck_assert_uint_eq(retry_of("retry: 5000\r\n"), 5000);
}
END_TEST

START_TEST(test_stalwart)
{
	CHECK("event: ping\n"
	    "data: {\"interval\":30000}\n"
	    "\n"
	    "event: state\n"
	    "data: {\"@type\":\"StateChange\",\"changed\":{\"a\":"
	    "{\"Email\":\"sa\"}}}\n"
	    "\n"
	    "event: ping\n"
	    "data: {\"interval\":30000}\n"
	    "\n",
	    "ping|{\"interval\":30000}|\n"
	    "state|{\"@type\":\"StateChange\",\"changed\":{\"a\":"
	    "{\"Email\":\"sa\"}}}|\n"
	    "ping|{\"interval\":30000}|\n", "");
}
END_TEST

/*
 * WHATWG HTML 9.2.5 "Parsing an event stream" and 9.2.6 "Interpreting an
 * event stream", one row per rule, the rule quoted above its row.  Each
 * stream is fed whole, byte by byte and split in two everywhere
 * (check_stream_max); want is every event as "type|data|last_id\n",
 * want_id the last event ID string at the end.
 */
struct rule {
	const char *in;
	size_t inlen;
	const char *want;
	size_t wantlen;
	const char *want_id;
	uint64_t want_retry;
	size_t want_pending;
};
#define RULE(in, want, id, retry, pending) \
	{ in, sizeof(in) - 1, want, sizeof(want) - 1, id, retry, pending }

static const struct rule rules[] = {
	/* "stream = [ bom ] *event": one leading U+FEFF BYTE ORDER MARK is
	 * skipped ... */
	RULE("\xef\xbb\xbf" "data: a\n\n", "message|a|\n", "", 0, 0),
	/* ... and only one: "The UTF-8 decode algorithm strips one leading
	 * UTF-8 Byte Order Mark (BOM), if any"; a second is part of the
	 * field name, an unknown field. */
	RULE("\xef\xbb\xbf\xef\xbb\xbf" "data: a\n\n", "", "", 0, 0),
	/* "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair,
	 * a single U+000A LINE FEED (LF) character not preceded by a U+000D
	 * CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE
	 * RETURN (CR) character not followed by a U+000A LINE FEED (LF)
	 * character being the ways in which a line can end." */
	RULE("data: a\r\ndata: b\rdata: c\n\r\n" "data: d\r\r" "data: e\n\n",
	    "message|a\nb\nc|\nmessage|d|\nmessage|e|\n", "", 0, 0),
	/* "If the line is empty (a blank line): Dispatch the event" */
	RULE("data: a\n\ndata: b\n\n", "message|a|\nmessage|b|\n", "", 0, 0),
	/* "If the line starts with a U+003A COLON character (:): Ignore the
	 * line." */
	RULE(": data: x\n:\ndata: a\n\n", "message|a|\n", "", 0, 0),
	/* "Collect the characters on the line before the first U+003A COLON
	 * character (:), and let field be that string.  Collect the
	 * characters on the line after the first U+003A COLON character (:),
	 * and let value be that string." */
	RULE("data:a:b: c\n\n", "message|a:b: c|\n", "", 0, 0),
	/* "If value starts with a U+0020 SPACE character, remove it from
	 * value." (one space, and only a space) */
	RULE("data:  a\ndata:\tb\ndata:c\n\n", "message| a\n\tb\nc|\n", "", 0,
	    0),
	/* "Otherwise, the string is not empty but does not contain a U+003A
	 * COLON character (:): Process the field using the steps described
	 * below, using the whole line as the field name, and the empty string
	 * as the field value." */
	RULE("data\n\n", "message||\n", "", 0, 0),
	RULE("id: 1\ndata: a\n\nid\ndata: b\n\n", "message|a|1\nmessage|b|\n",
	    "", 0, 0),
	/* "Once the end of the file is reached, any pending data must be
	 * discarded.  (If the file ends in the middle of an event, before
	 * the final empty line, the incomplete event is not dispatched.)" */
	RULE("data: a\n\ndata: b\n", "message|a|\n", "", 0, 2),
	/* "If the field name is "event": Set the event type buffer to field
	 * value." */
	RULE("event: add\ndata: 1\n\n", "add|1|\n", "", 0, 0),
	/* "If the field name is "data": Append the field value to the data
	 * buffer, then append a single U+000A LINE FEED (LF) character to the
	 * data buffer." */
	RULE("data: a\ndata\ndata: b\n\n", "message|a\n\nb|\n", "", 0, 0),
	/* "If the field name is "id": If the field value does not contain
	 * U+0000 NULL, then set the last event ID buffer to the field value.
	 * Otherwise, ignore the field." */
	RULE("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n",
	    "message|a|1\nmessage|b|1\n", "1", 0, 0),
	/* "If the field name is "retry": If the field value consists of only
	 * ASCII digits, then interpret the field value as an integer in base
	 * ten, and set the event stream's reconnection time to that integer.
	 * Otherwise, ignore the field." */
	RULE("retry: 1500\nretry: 7s\nretry: -1\nretry:  9\nretry:\n", "", "",
	    1500, 0),
	/* "Otherwise: The field is ignored." */
	RULE("foo: bar\nDATA: x\nData: y\ndata: a\n\n", "message|a|\n", "", 0,
	    0),
	/* Dispatch, step 1: "Set the last event ID string of the event
	 * source to the value of the last event ID buffer.  The buffer does
	 * not get reset, so the last event ID string of the event source
	 * remains set to this value until the next time it is set by the
	 * server." (with no data too; an id before a blank line does not
	 * count yet) */
	RULE("id: 1\ndata: a\n\ndata: b\n\nid: 2\n\nid: 3\n",
	    "message|a|1\nmessage|b|1\n", "2", 0, 0),
	/* Step 2: "If the data buffer is an empty string, set the data buffer
	 * and the event type buffer to the empty string and return." */
	RULE("event: x\n\ndata: a\n\n", "message|a|\n", "", 0, 0),
	/* Step 3: "If the data buffer's last character is a U+000A LINE FEED
	 * (LF) character, then remove the last character from the data
	 * buffer." (one LF only) */
	RULE("data: a\ndata:\n\n", "message|a\n|\n", "", 0, 0),
	/* Steps 5-6: the type is "message" unless "the event type buffer has
	 * a value other than the empty string". */
	RULE("event:\ndata: a\n\nevent\ndata: b\n\n", "message|a|\nmessage|b|\n",
	    "", 0, 0),
	/* Step 7: "Set the data buffer and the event type buffer to the empty
	 * string." */
	RULE("event: x\ndata: a\n\ndata: b\n\n", "x|a|\nmessage|b|\n", "", 0, 0),
	/* "Streams must be decoded using the UTF-8 decode algorithm": each
	 * maximal subpart of an ill-formed sequence is one U+FFFD, in data,
	 * event type and id alike. */
	RULE("data: \xff" "a\xe2\x82" "b\xf0\x9f\x98\n\n",
	    "message|\xef\xbf\xbd" "a\xef\xbf\xbd" "b\xef\xbf\xbd|\n", "", 0, 0),
	RULE("event: \xc0\xaf\nid: \xed\xa0\x80\ndata: \xe2\x82\xac\n\n",
	    "\xef\xbf\xbd\xef\xbf\xbd|\xe2\x82\xac|"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0, 0),
	/* Beyond the spec, on purpose (issue 12): an id longer than
	 * SSE_ID_MAX bytes is ignored like one holding a NUL, so that a
	 * server cannot make Last-Event-ID too large to send. */
	RULE("id: 1\ndata: a\n\nid: "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "x\ndata: b\n\n", "message|a|1\nmessage|b|1\n", "1", 0, 0),
};

START_TEST(test_spec_rules)
{
	const struct rule *r = &rules[_i];

	check_stream_max(r->in, r->inlen, 65536, r->want, r->wantlen,
	    r->want_id, NULL, r->want_pending);
	ck_assert_uint_eq(retry_of(r->in), r->want_retry);
}
END_TEST

/* "if res's Content-Type is not `text/event-stream`, then fail the
 * connection": the MIME type's essence, whatever its parameters. */
START_TEST(test_content_type)
{
	ck_assert(sse_content_type_ok("text/event-stream"));
	ck_assert(sse_content_type_ok("text/event-stream; charset=utf-8"));
	ck_assert(sse_content_type_ok("Text/Event-Stream;charset=UTF-8"));
	ck_assert(sse_content_type_ok(" text/event-stream ;x=y"));
	ck_assert(!sse_content_type_ok(NULL));
	ck_assert(!sse_content_type_ok(""));
	ck_assert(!sse_content_type_ok("text/plain"));
	ck_assert(!sse_content_type_ok("text/event-streams"));
	ck_assert(!sse_content_type_ok("text/event-stream,text/html"));
	ck_assert(!sse_content_type_ok("application/json"));
}
END_TEST

/* The id of an event is counted, not kept, when it is too long. */
START_TEST(test_id_too_long)
{
	struct sse_parser *p;
	struct rec r = { 0 };
	char line[SSE_ID_MAX + 8];

	p = sse_new(65536, on_event, &r);
	memset(line, 'x', sizeof(line));
	memcpy(line, "id:", 3);
	line[3 + SSE_ID_MAX] = '\n';
	ck_assert_int_eq(sse_feed(p, line, 4 + SSE_ID_MAX), 0);
	ck_assert_uint_eq(sse_ids_too_long(p), 0);
	ck_assert_int_eq(sse_feed(p, "\n", 1), 0);
	ck_assert_uint_eq(strlen(sse_last_event_id(p)), SSE_ID_MAX);
	line[3 + SSE_ID_MAX] = 'x';
	line[4 + SSE_ID_MAX] = '\n';
	ck_assert_int_eq(sse_feed(p, "id: 1\n\n", 7), 0);
	ck_assert_int_eq(sse_feed(p, line, 5 + SSE_ID_MAX), 0);
	ck_assert_int_eq(sse_feed(p, "\n", 1), 0);
	ck_assert_uint_eq(sse_ids_too_long(p), 1);
	ck_assert_str_eq(sse_last_event_id(p), "1");
	ck_assert_uint_eq(sse_dispatches(p), 3);
	ck_assert_int_eq(r.n, 0);
	sse_free(p);
}
END_TEST

static Suite *
sse_suite(void)
{
	Suite *s = suite_create("sse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_line_endings);
	tcase_add_test(tc, test_cr_lf_across_feeds);
	tcase_add_test(tc, test_split_everywhere);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_data_lines);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_space_stripping);
	tcase_add_test(tc, test_id_with_nul);
	tcase_add_test(tc, test_retry);
	tcase_add_test(tc, test_dispatch_without_data);
	tcase_add_test(tc, test_ends_mid_event);
	tcase_add_test(tc, test_max_event);
	tcase_add_test(tc, test_max_event_memory);
	tcase_add_test(tc, test_cyrus);
	tcase_add_test(tc, test_fastmail);
	tcase_add_test(tc, test_stalwart);
	tcase_add_loop_test(tc, test_spec_rules, 0,
	    sizeof(rules) / sizeof(rules[0]));
	tcase_add_test(tc, test_content_type);
	tcase_add_test(tc, test_id_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sse_suite());
}
