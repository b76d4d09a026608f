/* SPDX-License-Identifier: ISC */
/*
 * JMAP method calls (RFC 8620 3.3), shared by WebSocket Requests and
 * POST /jmap/api: Foo/get for a type with a state, Core/echo and the mail
 * methods of mail.c. Also the HTTP side of /jmap/api: the request body is
 * gathered from lws' body callbacks and answered once complete.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

/* Request bodies larger than this are refused (maxSizeRequest is larger,
 * but no test needs more). */
#define BODY_MAX	(1024 * 1024)

#define ERR_NOT_JSON	"urn:ietf:params:jmap:error:notJSON"
#define ERR_NOT_REQUEST	"urn:ietf:params:jmap:error:notRequest"
#define ERR_LIMIT	"urn:ietf:params:jmap:error:limit"

static struct json_object *
api_method_error(const char *type, const char *call_id)
{
	struct json_object *resp = json_object_new_array();
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "type", json_object_new_string(type));
	json_object_array_add(resp, json_object_new_string("error"));
	json_object_array_add(resp, args);
	json_object_array_add(resp, json_object_new_string(call_id));
	return resp;
}

/* Foo/get of a known type: the current state, and no objects at all. */
static struct json_object *
api_method_get(struct ts_server *s, const char *name, int type,
    struct json_object *args, const char *call_id)
{
	struct json_object *acct, *ids = NULL, *resp, *out;
	char state[32];
	int account;

	if (!json_object_object_get_ex(args, "accountId", &acct) ||
	    !json_object_is_type(acct, json_type_string))
		return api_method_error("invalidArguments", call_id);
	if ((account = state_account_find(&s->state,
	    json_object_get_string(acct))) == -1)
		return api_method_error("accountNotFound", call_id);
	json_object_object_get_ex(args, "ids", &ids);
	if (ids != NULL && !json_object_is_type(ids, json_type_array))
		return api_method_error("invalidArguments", call_id);

	state_string(&s->state, account, type, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_get(acct));
	json_object_object_add(out, "state", json_object_new_string(state));
	json_object_object_add(out, "list", json_object_new_array());
	json_object_object_add(out, "notFound", ids != NULL ?
	    json_object_get(ids) : json_object_new_array());
	resp = json_object_new_array();
	json_object_array_add(resp, json_object_new_string(name));
	json_object_array_add(resp, out);
	json_object_array_add(resp, json_object_new_string(call_id));
	return resp;
}

static struct json_object *
api_method(struct ts_server *s, const char *name, struct json_object *args,
    const char *call_id)
{
	struct json_object *resp;
	size_t len = strlen(name);
	char type[64];
	int t;

	if (strcmp(name, "Core/echo") == 0) {
		resp = json_object_new_array();
		json_object_array_add(resp, json_object_new_string(name));
		json_object_array_add(resp, json_object_get(args));
		json_object_array_add(resp, json_object_new_string(call_id));
		return resp;
	}
	if (len > 4 && len - 4 < sizeof(type) &&
	    strcmp(name + len - 4, "/get") == 0) {
		memcpy(type, name, len - 4);
		type[len - 4] = '\0';
		if ((t = state_type_parse(type)) != -1)
			return api_method_get(s, name, t, args, call_id);
	}
	return api_method_error("unknownMethod", call_id);
}

/* [name, arguments, callId], or false. */
static bool
api_call_valid(struct json_object *call)
{
	return json_object_is_type(call, json_type_array) &&
	    json_object_array_length(call) == 3 &&
	    json_object_is_type(json_object_array_get_idx(call, 0),
	    json_type_string) &&
	    json_object_is_type(json_object_array_get_idx(call, 1),
	    json_type_object) &&
	    json_object_is_type(json_object_array_get_idx(call, 2),
	    json_type_string);
}

/*
 * The methodResponses of a Request object ({"using", "methodCalls"}), or
 * NULL with *err saying why it is not a valid Request.
 */
struct json_object *
api_method_calls(struct ts_server *s, struct json_object *msg,
    const char **err)
{
	struct json_object *using, *calls, *responses;
	size_t n;

	if (!json_object_object_get_ex(msg, "using", &using) ||
	    !json_object_is_type(using, json_type_array) ||
	    !json_object_object_get_ex(msg, "methodCalls", &calls) ||
	    !json_object_is_type(calls, json_type_array)) {
		*err = "using and methodCalls must be arrays";
		return NULL;
	}
	n = json_object_array_length(calls);
	for (size_t i = 0; i < n; i++)
		if (!api_call_valid(json_object_array_get_idx(calls, i))) {
			*err = "methodCalls: expected [name, arguments, callId]";
			return NULL;
		}

	s->api_requests++;
	responses = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *call = json_object_array_get_idx(calls, i);
		const char *name = json_object_get_string(
		    json_object_array_get_idx(call, 0));
		struct json_object *args = json_object_array_get_idx(call, 1);
		const char *call_id = json_object_get_string(
		    json_object_array_get_idx(call, 2));
		struct json_object *r;

		if ((r = mail_method(s, name, args, call_id, responses)) ==
		    NULL)
			r = api_method(s, name, args, call_id);
		json_object_array_add(responses, r);
	}
	return responses;
}

/*
 * LWS_CALLBACK_HTTP for POST /jmap/api, once authorised: gets ready for
 * the body. Returns what http_send returns, or 1 to wait for the body.
 */
int
api_begin(struct lws *wsi, struct ts_http *hc)
{
	char buf[32];

	if (lws_hdr_copy(wsi, buf, sizeof(buf),
	    WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 || strcmp(buf, "0") == 0)
		return http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST,
		    ERR_NOT_JSON, "the request has no body");
	if (lws_hdr_copy(wsi, buf, sizeof(buf),
	    WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0 ||
	    strncmp(buf, "application/json", 16) != 0)
		return http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST,
		    ERR_NOT_JSON, "Content-Type must be application/json");
	hc->api = true;
	hc->body_len = 0;
	return 1;
}

/* LWS_CALLBACK_HTTP_BODY: -1 when the body is too large (answered). */
int
api_body(struct lws *wsi, struct ts_http *hc, const char *in, size_t len)
{
	if (hc->body_len + len > BODY_MAX) {
		hc->api = false;
		http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST, ERR_LIMIT,
		    "the request body is over 1 MiB");
		return -1;
	}
	if (hc->body_len + len + 1 > hc->body_size) {
		hc->body_size = hc->body_size == 0 ? 4096 : hc->body_size;
		while (hc->body_len + len + 1 > hc->body_size)
			hc->body_size *= 2;
		hc->body = xrealloc(hc->body, hc->body_size);
	}
	memcpy(hc->body + hc->body_len, in, len);
	hc->body_len += len;
	return 0;
}

/*
 * The holdapi fault: the answer reflects the states when the request came,
 * but leaves only on /control/release, after pushes made meanwhile (as a
 * busy server's may).  Takes resp; returns 1 (parked).
 */
static int
api_hold(struct ts_server *s, struct lws *wsi, struct ts_http *hc,
    struct json_object *resp)
{
	hc->held = xstrdup(json_object_to_json_string_ext(resp, TS_JSON_FLAGS));
	json_object_put(resp);
	hc->released = false;
	TAILQ_INSERT_TAIL(&s->held, hc, held_entry);
	s->api_held++;
	/* lws gives a request's answer a few seconds: the test decides. */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	control_wake(s);
	return 1;
}

/* /control/release: every held answer is sent.  Returns how many. */
unsigned long
api_release(struct ts_server *s)
{
	struct ts_http *hc;
	unsigned long n = 0;

	while ((hc = TAILQ_FIRST(&s->held)) != NULL) {
		TAILQ_REMOVE(&s->held, hc, held_entry);
		hc->released = true;
		lws_callback_on_writable(hc->wsi);
		n++;
	}
	return n;
}

/* LWS_CALLBACK_HTTP_WRITEABLE for a released answer. */
int
api_held_writeable(struct ts_http *hc)
{
	int rv;

	rv = http_send(hc->wsi, HTTP_STATUS_OK, hc->held, NULL, 0);
	free(hc->held);
	hc->held = NULL;
	hc->released = false;
	return rv;
}

/* The connection goes away with its answer still held or unsent. */
void
api_unhold(struct ts_server *s, struct ts_http *hc)
{
	if (hc->held != NULL && !hc->released)
		TAILQ_REMOVE(&s->held, hc, held_entry);
	free(hc->held);
	hc->held = NULL;
	hc->released = false;
}

/* LWS_CALLBACK_HTTP_BODY_COMPLETION: runs the Request and answers. */
int
api_complete(struct ts_server *s, struct lws *wsi, struct ts_http *hc)
{
	struct json_tokener *tok;
	struct json_object *msg, *responses, *resp;
	enum json_tokener_error jerr;
	const char *err = NULL;
	size_t end, n;
	int rv;

	hc->api = false;
	tok = json_tokener_new();
	msg = json_tokener_parse_ex(tok, hc->body != NULL ? hc->body : "",
	    (int)hc->body_len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (msg == NULL || jerr != json_tokener_success) {
		json_object_put(msg);
		return http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST,
		    ERR_NOT_JSON, msg == NULL && jerr == json_tokener_continue ?
		    "truncated JSON" : json_tokener_error_desc(jerr));
	}
	for (; end < hc->body_len; end++)
		if (strchr(" \t\r\n", hc->body[end]) == NULL) {
			json_object_put(msg);
			return http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST,
			    ERR_NOT_JSON, "data after the JSON value");
		}
	if (!json_object_is_type(msg, json_type_object))
		err = "expected a Request object";
	else if ((responses = api_method_calls(s, msg, &err)) != NULL) {
		n = json_object_array_length(responses);
		resp = json_object_new_object();
		json_object_object_add(resp, "methodResponses", responses);
		json_object_object_add(resp, "sessionState",
		    json_object_new_string(s->session_state));
		if (s->fault_hold_api > 0) {
			s->fault_hold_api--;
			ts_info("api: Request with %zu call(s), answer held", n);
			rv = api_hold(s, wsi, hc, resp);
			json_object_put(msg);
			return rv;
		}
		ts_info("api: Request with %zu call(s)", n);
		rv = http_send_json(wsi, HTTP_STATUS_OK, resp);
		json_object_put(msg);
		return rv;
	}
	json_object_put(msg);
	return http_send_problem(wsi, HTTP_STATUS_BAD_REQUEST, ERR_NOT_REQUEST,
	    err);
}

/* The connection goes away, or the next request starts. */
void
api_reset(struct ts_http *hc)
{
	free(hc->body);
	hc->body = NULL;
	hc->body_len = hc->body_size = 0;
	hc->api = false;
}
