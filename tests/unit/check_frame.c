/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "session/frame.h"
#include "util/xmalloc.h"
#include "unit.h"

static void
parse_ok(const char *data, bool untyped, struct frame *f)
{
	char err[256] = "";

	ck_assert_msg(frame_parse(data, strlen(data), untyped, f, err,
	    sizeof(err)) == 0, "'%s': %s", data, err);
	ck_assert_str_eq(err, "");
}

static void
parse_err_len(const char *data, size_t len, bool untyped, const char *want)
{
	struct frame f;
	char err[256] = "";

	ck_assert_int_eq(frame_parse(data, len, untyped, &f, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(f.root);
	ck_assert_ptr_null(f.changed);
	ck_assert_ptr_null(f.type_name);
	ck_assert_ptr_null(f.push_state);
	ck_assert_ptr_null(f.request_id);
	ck_assert_ptr_null(f.method_responses);
}

static void
parse_err(const char *data, bool untyped, const char *want)
{
	parse_err_len(data, strlen(data), untyped, want);
}

static const char *
state_of(const struct frame *f, const char *account, const char *type)
{
	struct json_object *a, *s;

	if (!json_object_object_get_ex(f->changed, account, &a) ||
	    !json_object_object_get_ex(a, type, &s))
		return NULL;
	return json_object_get_string(s);
}

START_TEST(test_state_change)
{
	struct frame f;

	parse_ok("{\"@type\":\"StateChange\",\"changed\":{\"u1\":{"
	    "\"Email\":\"d35ecb040aab\",\"Mailbox\":\"0af7a512ce70\"},"
	    "\"u2\":{\"EmailDelivery\":\"7\"}},\"pushState\":\"p-42\"}",
	    false, &f);
	ck_assert_int_eq(f.type, FRAME_STATE_CHANGE);
	ck_assert_str_eq(f.type_name, "StateChange");
	ck_assert_ptr_nonnull(f.changed);
	ck_assert_int_eq(json_object_object_length(f.changed), 2);
	ck_assert_str_eq(state_of(&f, "u1", "Email"), "d35ecb040aab");
	ck_assert_str_eq(state_of(&f, "u1", "Mailbox"), "0af7a512ce70");
	ck_assert_str_eq(state_of(&f, "u2", "EmailDelivery"), "7");
	ck_assert_str_eq(f.push_state, "p-42");
	ck_assert_ptr_null(f.request_id);
	ck_assert_ptr_null(f.method_responses);
	frame_clear(&f);
	ck_assert_ptr_null(f.root);
	frame_clear(&f);
}
END_TEST

START_TEST(test_state_change_variants)
{
	struct frame f;

	/* Stalwart: no pushState. */
	parse_ok("{\"@type\":\"StateChange\",\"changed\":{\"d\":{\"Email\":\"s1\"}}}",
	    false, &f);
	ck_assert_int_eq(f.type, FRAME_STATE_CHANGE);
	ck_assert_ptr_null(f.push_state);
	frame_clear(&f);
	/* A malformed pushState is only a lost resume token. */
	parse_ok("{\"@type\":\"StateChange\",\"changed\":{},\"pushState\":5}",
	    false, &f);
	ck_assert_int_eq(f.type, FRAME_STATE_CHANGE);
	ck_assert_int_eq(json_object_object_length(f.changed), 0);
	ck_assert_ptr_null(f.push_state);
	frame_clear(&f);
	/* Fastmail's EventSource data: no @type, an extra "type". */
	parse_ok(" {\"changed\":{\"u1a2b3c4\":{\"Email\":\"e1\",\"Thread\":\"t1\"}},"
	    "\"type\":\"connect\"}\r\n", true, &f);
	ck_assert_int_eq(f.type, FRAME_STATE_CHANGE);
	ck_assert_ptr_null(f.type_name);
	ck_assert_str_eq(state_of(&f, "u1a2b3c4", "Thread"), "t1");
	frame_clear(&f);
	/* Untyped objects are nothing on a WebSocket. */
	parse_ok("{\"changed\":{\"u1\":{\"Email\":\"e1\"}}}", false, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_ptr_null(f.type_name);
	ck_assert_ptr_null(f.changed);
	frame_clear(&f);
	/* James: pushState inside EventSource data. */
	parse_ok("{\"@type\":\"StateChange\",\"changed\":{\"a\":{\"Mailbox\":\"m\"}},"
	    "\"pushState\":\"abc/def=\"}", true, &f);
	ck_assert_str_eq(f.push_state, "abc/def=");
	frame_clear(&f);
	/* A non-string @type is not "missing". */
	parse_ok("{\"@type\":5,\"changed\":{\"u1\":{\"Email\":\"e1\"}}}", true, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_ptr_null(f.type_name);
	ck_assert_ptr_null(f.changed);
	frame_clear(&f);
}
END_TEST

START_TEST(test_response)
{
	struct frame f;

	parse_ok("{\"@type\":\"Response\",\"requestId\":\"r1\",\"methodResponses\":"
	    "[[\"Email/get\",{\"accountId\":\"u1\",\"state\":\"s9\",\"list\":[]},\"0\"]],"
	    "\"sessionState\":\"75128aab4b1b\"}", false, &f);
	ck_assert_int_eq(f.type, FRAME_RESPONSE);
	ck_assert_str_eq(f.type_name, "Response");
	ck_assert_str_eq(f.request_id, "r1");
	ck_assert(json_object_is_type(f.method_responses, json_type_array));
	ck_assert_uint_eq(json_object_array_length(f.method_responses), 1);
	ck_assert_str_eq(f.session_state, "75128aab4b1b");
	ck_assert_ptr_null(f.changed);
	frame_clear(&f);
	parse_ok("{\"@type\":\"Response\",\"methodResponses\":[]}", false, &f);
	ck_assert_int_eq(f.type, FRAME_RESPONSE);
	ck_assert_ptr_null(f.request_id);
	ck_assert_ptr_null(f.session_state);
	ck_assert_uint_eq(json_object_array_length(f.method_responses), 0);
	frame_clear(&f);
	parse_ok("{\"@type\":\"Response\",\"requestId\":7,\"methodResponses\":[],"
	    "\"sessionState\":1}", false, &f);
	ck_assert_ptr_null(f.request_id);
	ck_assert_ptr_null(f.session_state);
	frame_clear(&f);
}
END_TEST

START_TEST(test_request_error)
{
	struct frame f;

	parse_ok("{\"@type\":\"RequestError\",\"requestId\":\"r2\","
	    "\"type\":\"urn:ietf:params:jmap:error:notRequest\",\"status\":400,"
	    "\"detail\":\"The request did not match the type Request\"}",
	    false, &f);
	ck_assert_int_eq(f.type, FRAME_REQUEST_ERROR);
	ck_assert_str_eq(f.type_name, "RequestError");
	ck_assert_str_eq(f.request_id, "r2");
	ck_assert_ptr_null(f.method_responses);
	ck_assert_ptr_null(f.changed);
	frame_clear(&f);
	parse_ok("{\"@type\":\"RequestError\",\"type\":\"urn:ietf:params:jmap:error:notJSON\",\"status\":400}",
	    false, &f);
	ck_assert_int_eq(f.type, FRAME_REQUEST_ERROR);
	ck_assert_ptr_null(f.request_id);
	frame_clear(&f);
}
END_TEST

START_TEST(test_unknown)
{
	struct frame f;

	parse_ok("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":null}", false, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_str_eq(f.type_name, "WebSocketPushEnable");
	frame_clear(&f);
	/* Unknown types are not validated, even with a broken "changed". */
	parse_ok("{\"@type\":\"Future\",\"changed\":5}", true, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_str_eq(f.type_name, "Future");
	ck_assert_ptr_null(f.changed);
	frame_clear(&f);
	parse_ok("{}", false, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_ptr_null(f.type_name);
	frame_clear(&f);
	parse_ok("{\"@type\":\"stateChange\",\"changed\":[]}", false, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	frame_clear(&f);
}
END_TEST

START_TEST(test_bad_json)
{
	parse_err("", false, "truncated JSON");
	parse_err("   ", false, "truncated JSON");
	parse_err("{\"@type\":\"StateChange\"", false, "truncated JSON");
	parse_err("{\"@type\":\"StateCh", false, "truncated JSON");
	parse_err("[]", false, "not a JSON object");
	parse_err("null", false, "not a JSON object");
	parse_err("42", false, "not a JSON object");
	parse_err("\"StateChange\"", true, "not a JSON object");
	parse_err("{\"a\":1} x", false, "invalid JSON at offset 8");
	parse_err("{\"a\":1}{}", false, "invalid JSON at offset 7");
	parse_err("{\"a\":1,}x", false, "invalid JSON at offset 8");
	parse_err("{a:1}", false, "invalid JSON at offset 1");
	parse_err("{\"a\":1 \"b\":2}", false, "invalid JSON at offset 7");
	parse_err("{\"a\":tru}", false, "invalid JSON at offset 8");
	parse_err("\xff", false, "invalid JSON at offset 0");
	parse_err_len("{}\0{}", 5, false, "invalid JSON at offset 2");
	parse_err_len("{\"a\":\"b\0c\"}", 11, false, "invalid JSON at offset 8");
}
END_TEST

START_TEST(test_bad_state_change)
{
	static const struct {
		const char *data, *want;
	} cases[] = {
		{ "{\"@type\":\"StateChange\"}", "StateChange: changed is missing" },
		{ "{\"@type\":\"StateChange\",\"changed\":null}", "StateChange: changed is missing" },
		{ "{\"@type\":\"StateChange\",\"changed\":[]}", "StateChange: changed is not an object" },
		{ "{\"@type\":\"StateChange\",\"changed\":\"u1\"}", "StateChange: changed is not an object" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":[]}}", "StateChange: account u1 is not an object" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":null}}", "StateChange: account u1 is not an object" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"\":{}}}", "StateChange: empty accountId" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"\":\"s\"}}}", "StateChange: empty type name in account u1" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":1}}}", "StateChange: state of Email in account u1 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":null}}}", "StateChange: state of Email in account u1 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":{}}}}", "StateChange: state of Email in account u1 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":\"a\\u0000b\"}}}", "StateChange: state of Email in account u1 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u\\n1\":{\"E\\u001bmail\":true}}}", "StateChange: state of E?mail in account u?1 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Email\":\"s\"},\"u2\":{\"Email\":[\"s\"]}}}", "StateChange: state of Email in account u2 is not a string" },
		{ "{\"@type\":\"StateChange\",\"changed\":{\"0123456789012345678901234567890123456789012345678901234567890123456789\":5}}",
		  "StateChange: account 0123456789012345678901234567890123456789012345678901234567890123... is not an object" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_err(cases[i].data, false, cases[i].want);
		parse_err(cases[i].data, true, cases[i].want);
	}
	parse_err("{\"changed\":{\"u1\":5}}", true,
	    "StateChange: account u1 is not an object");
	parse_err("{\"type\":\"ping\"}", true, "StateChange: changed is missing");
}
END_TEST

START_TEST(test_short_err_buffer)
{
	struct frame f;
	char err[8];

	ck_assert_int_eq(frame_parse("[]", 2, false, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not a J");
	ck_assert_ptr_null(f.root);
}
END_TEST

static char *
build(size_t naccounts, size_t ntypes)
{
	size_t cap = naccounts * (ntypes * 16 + 32) + 128, len;
	char *s = xmalloc(cap);

	len = (size_t)snprintf(s, cap, "{\"@type\":\"StateChange\",\"changed\":{");
	for (size_t a = 0; a < naccounts; a++) {
		len += (size_t)snprintf(s + len, cap - len, "%s\"a%zu\":{",
		    a > 0 ? "," : "", a);
		for (size_t t = 0; t < ntypes; t++)
			len += (size_t)snprintf(s + len, cap - len,
			    "%s\"T%zu\":\"s\"", t > 0 ? "," : "", t);
		len += (size_t)snprintf(s + len, cap - len, "}");
	}
	snprintf(s + len, cap - len, "}}");
	return s;
}

START_TEST(test_bounds)
{
	struct frame f;
	char *s;

	s = build(FRAME_MAX_ACCOUNTS, 1);
	parse_ok(s, false, &f);
	ck_assert_int_eq(json_object_object_length(f.changed), FRAME_MAX_ACCOUNTS);
	frame_clear(&f);
	free(s);
	s = build(FRAME_MAX_ACCOUNTS + 1, 1);
	parse_err(s, false, "StateChange: more than 10000 accounts");
	free(s);
	s = build(2, FRAME_MAX_TYPES);
	parse_ok(s, false, &f);
	frame_clear(&f);
	free(s);
	s = build(2, FRAME_MAX_TYPES + 1);
	parse_err(s, false, "StateChange: account a0 has more than 1000 types");
	free(s);
}
END_TEST

static char *
nested(int depth)
{
	char *s = xmalloc((size_t)depth * 2 + 64), *p = s;

	p += sprintf(p, "{\"@type\":\"Response\",\"methodResponses\":");
	for (int i = 1; i < depth; i++)
		*p++ = '[';
	for (int i = 1; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}");
	return s;
}

START_TEST(test_depth)
{
	struct frame f;
	char *s;

	s = nested(FRAME_MAX_DEPTH - 1);
	parse_ok(s, false, &f);
	ck_assert_int_eq(f.type, FRAME_RESPONSE);
	frame_clear(&f);
	free(s);
	s = nested(FRAME_MAX_DEPTH + 1);
	parse_err(s, false, "JSON nested deeper than 32 levels");
	free(s);
	s = nested(200000);
	parse_err(s, false, "JSON nested deeper than 32 levels");
	free(s);
}
END_TEST

START_TEST(test_push_enable)
{
	char *types[] = { "Email", "Mailbox", "EmailDelivery" };
	char *one[] = { "Email" };
	char *s;
	struct frame f;

	s = frame_push_enable(types, 3, "p-42");
	ck_assert_str_eq(s, "{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":"
	    "[\"Email\",\"Mailbox\",\"EmailDelivery\"],\"pushState\":\"p-42\"}");
	parse_ok(s, false, &f);
	ck_assert_int_eq(f.type, FRAME_UNKNOWN);
	ck_assert_str_eq(f.type_name, "WebSocketPushEnable");
	frame_clear(&f);
	free(s);
	s = frame_push_enable(one, 1, NULL);
	ck_assert_str_eq(s, "{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":[\"Email\"]}");
	free(s);
	s = frame_push_enable(one, 1, "a/b\"c\\d\x01");
	ck_assert_str_eq(s, "{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":"
	    "[\"Email\"],\"pushState\":\"a/b\\\"c\\\\d\\u0001\"}");
	free(s);
	ck_assert_ptr_null(frame_push_enable(types, 0, "p"));
	ck_assert_ptr_null(frame_push_enable(NULL, 0, NULL));
}
END_TEST

START_TEST(test_request)
{
	struct json_object *using, *calls;
	char *s;

	using = json_tokener_parse("[\"urn:ietf:params:jmap:core\","
	    "\"urn:ietf:params:jmap:mail\"]");
	calls = json_tokener_parse("[[\"Email/get\",{\"accountId\":\"u1\","
	    "\"ids\":[]},\"0\"],[\"Mailbox/get\",{\"accountId\":\"u1\","
	    "\"ids\":[]},\"1\"]]");
	ck_assert_ptr_nonnull(using);
	ck_assert_ptr_nonnull(calls);
	s = frame_request("r1", using, calls);
	ck_assert_str_eq(s, "{\"@type\":\"Request\",\"id\":\"r1\",\"using\":"
	    "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"],"
	    "\"methodCalls\":[[\"Email/get\",{\"accountId\":\"u1\",\"ids\":[]},"
	    "\"0\"],[\"Mailbox/get\",{\"accountId\":\"u1\",\"ids\":[]},\"1\"]]}");
	free(s);
	/* The arguments are still the caller's, and still usable. */
	ck_assert_uint_eq(json_object_array_length(calls), 2);
	s = frame_request(NULL, using, calls);
	ck_assert_str_eq(s, "{\"@type\":\"Request\",\"using\":"
	    "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"],"
	    "\"methodCalls\":[[\"Email/get\",{\"accountId\":\"u1\",\"ids\":[]},"
	    "\"0\"],[\"Mailbox/get\",{\"accountId\":\"u1\",\"ids\":[]},\"1\"]]}");
	free(s);
	ck_assert_int_eq(json_object_put(using), 1);
	ck_assert_int_eq(json_object_put(calls), 1);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_state_change);
	tcase_add_test(tc, test_state_change_variants);
	tcase_add_test(tc, test_response);
	tcase_add_test(tc, test_request_error);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_bad_json);
	tcase_add_test(tc, test_bad_state_change);
	tcase_add_test(tc, test_short_err_buffer);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_push_enable);
	tcase_add_test(tc, test_request);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(frame_suite());
}
