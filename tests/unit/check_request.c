/* SPDX-License-Identifier: ISC */
/* Requests in flight: ids, matching by requestId, deadlines, failing all
 * on disconnect. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "session/frame.h"
#include "session/request.h"
#include "unit.h"

struct result {
	int calls;
	enum request_error why;
	char error[128];
	char responses[256];
};

static void
record(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->why = why;
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	snprintf(r->responses, sizeof(r->responses), "%s", responses ?
	    json_object_to_json_string_ext(responses, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) :
	    "");
}

static void
parse(struct frame *f, const char *text)
{
	char err[128];

	ck_assert_int_eq(frame_parse(text, strlen(text), false, f, err,
	    sizeof(err)), 0);
}

START_TEST(test_response_matched_by_id)
{
	struct event_base *base = event_base_new();
	struct requests *rs = requests_new(base);
	struct result a = { 0 }, b = { 0 };
	struct frame f;
	char text[256];
	const char *ida, *idb;

	ida = requests_add(rs, 10000, record, &a);
	idb = requests_add(rs, 10000, record, &b);
	ck_assert_str_eq(ida, "r1");
	ck_assert_str_eq(idb, "r2");
	ck_assert_uint_eq(requests_pending(rs), 2);

	snprintf(text, sizeof(text), "{\"@type\":\"Response\",\"requestId\":"
	    "\"%s\",\"methodResponses\":[[\"Email/get\",{\"state\":\"s1\"},"
	    "\"0\"]]}", idb);
	parse(&f, text);
	ck_assert_int_eq(requests_complete(rs, &f), 0);
	frame_clear(&f);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_str_eq(b.error, "");
	ck_assert_int_eq(b.why, REQUEST_OK);
	ck_assert_str_eq(b.responses,
	    "[[\"Email/get\",{\"state\":\"s1\"},\"0\"]]");
	ck_assert_int_eq(a.calls, 0);

	/* The same id again is unknown now. */
	parse(&f, text);
	ck_assert_int_eq(requests_complete(rs, &f), -1);
	frame_clear(&f);

	parse(&f, "{\"@type\":\"RequestError\",\"requestId\":\"r1\","
	    "\"type\":\"urn:ietf:params:jmap:error:notRequest\",\"status\":400}");
	ck_assert_int_eq(requests_complete(rs, &f), 0);
	frame_clear(&f);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(a.error,
	    "request error urn:ietf:params:jmap:error:notRequest");
	ck_assert_int_eq(a.why, REQUEST_REFUSED);
	ck_assert_uint_eq(requests_pending(rs), 0);
	requests_free(rs);
	event_base_free(base);
}
END_TEST

START_TEST(test_deadline)
{
	struct event_base *base = event_base_new();
	struct requests *rs = requests_new(base);
	struct result a = { 0 };

	requests_add(rs, 10, record, &a);
	event_base_dispatch(base);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(a.error, "no response within the time limit");
	ck_assert_int_eq(a.why, REQUEST_TIMEOUT);
	ck_assert_uint_eq(requests_pending(rs), 0);
	requests_free(rs);
	event_base_free(base);
}
END_TEST

START_TEST(test_fail_all_and_forget)
{
	struct event_base *base = event_base_new();
	struct requests *rs = requests_new(base);
	struct result a = { 0 }, b = { 0 }, c = { 0 };
	const char *id;

	requests_add(rs, 10000, record, &a);
	id = requests_add(rs, 10000, record, &b);
	requests_forget(rs, id);
	requests_fail_all(rs, REQUEST_CLOSED);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(a.error, "connection closed");
	ck_assert_int_eq(a.why, REQUEST_CLOSED);
	ck_assert_int_eq(b.calls, 0);

	requests_add(rs, 10000, record, &c);
	requests_free(rs);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_str_eq(c.error, "shutting down");
	ck_assert_int_eq(c.why, REQUEST_SHUTDOWN);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_response_matched_by_id);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_fail_all_and_forget);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
