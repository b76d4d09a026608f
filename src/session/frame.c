#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/frame.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define QUOTE_MAX	64

/* A server's string made safe for an error message: printable, bounded. */
static const char *
quote(char buf[QUOTE_MAX + 4], const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < QUOTE_MAX; i++)
		buf[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	strcpy(buf + i, s[i] != '\0' ? "..." : "");
	return buf;
}

/* The string value of o; NULL when o is not a string or hides a NUL. */
static const char *
str_of(struct json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	return strlen(s) == (size_t)json_object_get_string_len(o) ? s : NULL;
}

static struct json_object *
member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* 0 with the document in *root (NULL for JSON null), or -1. */
static int
parse_json(const char *data, size_t len, struct json_object **rootp,
    char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end;
	bool waited = false;

	if (len > INT_MAX) {
		snprintf(err, errlen, "frame too large");
		return -1;
	}
	if ((tok = json_tokener_new_ex(FRAME_MAX_DEPTH)) == NULL)
		fatalx("out of memory allocating a JSON parser");
	root = json_tokener_parse_ex(tok, data, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A bare scalar at the very end waits for a delimiter: give it one. */
	if (root == NULL && json_tokener_get_error(tok) == json_tokener_continue) {
		root = json_tokener_parse_ex(tok, " ", 1);
		end = len;
		waited = true;
	}
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	/* JSON null parses to NULL: the caller's type check rejects it. */
	if (jerr != json_tokener_success) {
		if (jerr == json_tokener_error_depth)
			snprintf(err, errlen, "JSON nested deeper than %d levels",
			    FRAME_MAX_DEPTH);
		else if (waited)
			snprintf(err, errlen, "truncated JSON");
		else
			snprintf(err, errlen, "invalid JSON at offset %zu", end);
		return -1;
	}
	for (; end < len; end++) {
		if (data[end] == '\0' || strchr(" \t\r\n", data[end]) == NULL) {
			snprintf(err, errlen, "invalid JSON at offset %zu", end);
			json_object_put(root);
			return -1;
		}
	}
	*rootp = root;
	return 0;
}

static int
validate_account(const char *id, struct json_object *types, char *err,
    size_t errlen)
{
	struct json_object_iterator it, end;
	char q1[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];

	if (*id == '\0') {
		snprintf(err, errlen, "StateChange: empty accountId");
		return -1;
	}
	if (!json_object_is_type(types, json_type_object)) {
		snprintf(err, errlen, "StateChange: account %s is not an object",
		    quote(q1, id));
		return -1;
	}
	if (json_object_object_length(types) > FRAME_MAX_TYPES) {
		snprintf(err, errlen,
		    "StateChange: account %s has more than %d types",
		    quote(q1, id), FRAME_MAX_TYPES);
		return -1;
	}
	it = json_object_iter_begin(types);
	end = json_object_iter_end(types);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *type = json_object_iter_peek_name(&it);

		if (*type == '\0') {
			snprintf(err, errlen,
			    "StateChange: empty type name in account %s",
			    quote(q1, id));
			return -1;
		}
		if (str_of(json_object_iter_peek_value(&it)) == NULL) {
			snprintf(err, errlen, "StateChange: state of %s in "
			    "account %s is not a string", quote(q2, type),
			    quote(q1, id));
			return -1;
		}
	}
	return 0;
}

static int
parse_state_change(struct frame *f, char *err, size_t errlen)
{
	struct json_object_iterator it, end;
	struct json_object *changed = member(f->root, "changed");

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
	f->push_state = str_of(member(f->root, "pushState"));
	return 0;
}

int
frame_parse(const char *data, size_t len, bool allow_untyped_state,
    struct frame *out, char *err, size_t errlen)
{
	struct json_object *type, *responses;

	memset(out, 0, sizeof(*out));
	out->type = FRAME_UNKNOWN;
	if (parse_json(data, len, &out->root, err, errlen) == -1)
		return -1;
	if (!json_object_is_type(out->root, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		goto fail;
	}
	type = member(out->root, "@type");
	out->type_name = str_of(type);
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
		responses = member(out->root, "methodResponses");
		if (!json_object_is_type(responses, json_type_array)) {
			snprintf(err, errlen, "Response: methodResponses is %s",
			    responses == NULL ? "missing" : "not an array");
			goto fail;
		}
		out->type = FRAME_RESPONSE;
		out->method_responses = responses;
		out->request_id = str_of(member(out->root, "requestId"));
	} else if (strcmp(out->type_name, "RequestError") == 0) {
		out->type = FRAME_REQUEST_ERROR;
		out->request_id = str_of(member(out->root, "requestId"));
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
