/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/frame.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A server's string in an error message keeps this many characters. */
#define QUOTE_MAX	64

static int
validate_account(const char *id, struct json_object *types, char *err,
    size_t errlen)
{
	struct json_object_iterator it, end;
	char q1[JSONU_QUOTE_SIZE(QUOTE_MAX)], q2[JSONU_QUOTE_SIZE(QUOTE_MAX)];

	if (*id == '\0') {
		snprintf(err, errlen, "StateChange: empty accountId");
		return -1;
	}
	if (!json_object_is_type(types, json_type_object)) {
		snprintf(err, errlen,
		    "StateChange: account %s is not an object",
		    jsonu_quote(q1, sizeof(q1), id));
		return -1;
	}
	if (json_object_object_length(types) > FRAME_MAX_TYPES) {
		snprintf(err, errlen,
		    "StateChange: account %s has more than %d types",
		    jsonu_quote(q1, sizeof(q1), id), FRAME_MAX_TYPES);
		return -1;
	}
	it = json_object_iter_begin(types);
	end = json_object_iter_end(types);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *type = json_object_iter_peek_name(&it);

		if (*type == '\0') {
			snprintf(err, errlen,
			    "StateChange: empty type name in account %s",
			    jsonu_quote(q1, sizeof(q1), id));
			return -1;
		}
		if (jsonu_string_of(json_object_iter_peek_value(&it)) == NULL) {
			snprintf(err, errlen, "StateChange: state of %s in "
			    "account %s is not a string",
			    jsonu_quote(q2, sizeof(q2), type),
			    jsonu_quote(q1, sizeof(q1), id));
			return -1;
		}
	}
	return 0;
}

static int
parse_state_change(struct frame *f, char *err, size_t errlen)
{
	struct json_object_iterator it, end;
	struct json_object *changed = jsonu_member(f->root, "changed");

	if (changed == NULL) {
		snprintf(err, errlen, "StateChange: changed is missing");
		return -1;
	}
	if (!json_object_is_type(changed, json_type_object)) {
		snprintf(err, errlen, "StateChange: changed is not an object");
		return -1;
	}
	if (json_object_object_length(changed) > FRAME_MAX_ACCOUNTS) {
		snprintf(err, errlen, "StateChange: more than %d accounts",
		    FRAME_MAX_ACCOUNTS);
		return -1;
	}
	it = json_object_iter_begin(changed);
	end = json_object_iter_end(changed);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (validate_account(json_object_iter_peek_name(&it),
		    json_object_iter_peek_value(&it), err, errlen) == -1)
			return -1;
	f->type = FRAME_STATE_CHANGE;
	f->changed = changed;
	/* Only a resume token: a malformed one is as good as none. */
	f->push_state = jsonu_string_of(jsonu_member(f->root, "pushState"));
	return 0;
}

int
frame_parse(const char *data, size_t len, bool allow_untyped_state,
    struct frame *out, char *err, size_t errlen)
{
	struct json_object *type, *responses;

	memset(out, 0, sizeof(*out));
	out->type = FRAME_UNKNOWN;
	if (len > INT_MAX) {
		snprintf(err, errlen, "frame too large");
		return -1;
	}
	if (jsonu_parse_buffer(data, len, FRAME_MAX_DEPTH, &out->root, err,
	    errlen) == -1)
		return -1;
	if (!json_object_is_type(out->root, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		goto fail;
	}
	type = jsonu_member(out->root, "@type");
	out->type_name = jsonu_string_of(type);
	if (out->type_name == NULL) {
		if (type == NULL && allow_untyped_state &&
		    parse_state_change(out, err, errlen) == -1)
			goto fail;
		return 0;
	}
	if (strcmp(out->type_name, "StateChange") == 0) {
		if (parse_state_change(out, err, errlen) == -1)
			goto fail;
	} else if (strcmp(out->type_name, "Response") == 0) {
		responses = jsonu_member(out->root, "methodResponses");
		if (!json_object_is_type(responses, json_type_array)) {
			snprintf(err, errlen, "Response: methodResponses is %s",
			    responses == NULL ? "missing" : "not an array");
			goto fail;
		}
		out->type = FRAME_RESPONSE;
		out->method_responses = responses;
		out->request_id = jsonu_string_of(jsonu_member(out->root,
		    "requestId"));
		out->session_state = jsonu_string_of(jsonu_member(out->root,
		    "sessionState"));
	} else if (strcmp(out->type_name, "RequestError") == 0) {
		out->type = FRAME_REQUEST_ERROR;
		out->request_id = jsonu_string_of(jsonu_member(out->root,
		    "requestId"));
	}
	return 0;
fail:
	frame_clear(out);
	return -1;
}

void
frame_clear(struct frame *f)
{
	json_object_put(f->root);
	memset(f, 0, sizeof(*f));
	f->type = FRAME_UNKNOWN;
}

/* Slashes stay unescaped: "\/" is legal JSON but noise in logs and tests. */
static char *
to_string(struct json_object *o)
{
	char *s = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

static struct json_object *
new_string(const char *s)
{
	struct json_object *o = json_object_new_string(s);

	if (o == NULL)
		fatalx("out of memory building JSON");
	return o;
}

static struct json_object *
new_container(struct json_object *o)
{
	if (o == NULL)
		fatalx("out of memory building JSON");
	return o;
}

char *
frame_push_enable(char *const *types, size_t ntypes, const char *push_state)
{
	struct json_object *o, *a;

	if (ntypes == 0)
		return NULL;
	o = new_container(json_object_new_object());
	a = new_container(json_object_new_array_ext((int)ntypes));
	json_object_object_add(o, "@type", new_string("WebSocketPushEnable"));
	for (size_t i = 0; i < ntypes; i++)
		json_object_array_add(a, new_string(types[i]));
	json_object_object_add(o, "dataTypes", a);
	if (push_state != NULL)
		json_object_object_add(o, "pushState", new_string(push_state));
	return to_string(o);
}

char *
frame_request(const char *id, struct json_object *using,
    struct json_object *method_calls)
{
	struct json_object *o = new_container(json_object_new_object());

	json_object_object_add(o, "@type", new_string("Request"));
	if (id != NULL)
		json_object_object_add(o, "id", new_string(id));
	json_object_object_add(o, "using", json_object_get(using));
	json_object_object_add(o, "methodCalls", json_object_get(method_calls));
	return to_string(o);
}
