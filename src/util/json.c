/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/json.h"
#include "util/log.h"
#include "util/utf8.h"

static int	jsonu_parse_valid(const char *, size_t, int,
		    struct json_object **, char *, size_t);

/*
 * json-c copies bytes >= 0x80 into strings and back out unchecked, so text
 * that is not UTF-8 is repaired here, once for every parser: whatever the
 * document becomes (socket and hook JSON, D-Bus strings, logs) is then
 * valid.  Every JSON delimiter is ASCII, so the repair never changes the
 * structure, and json-c itself turns lone \u surrogates into U+FFFD.
 */
int
jsonu_parse_buffer(const char *data, size_t len, int depth,
    struct json_object **rootp, char *err, size_t errlen)
{
	char *fixed;
	size_t fixedlen;
	int rv;

	/* json_tokener_parse_ex() takes an int length. */
	if (len > INT_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return -1;
	}
	if (utf8_valid(data, len))
		return jsonu_parse_valid(data, len, depth, rootp, err, errlen);
	fixed = utf8_sanitize(data, len, &fixedlen);
	if (fixedlen > INT_MAX) {
		snprintf(err, errlen, "JSON text too large");
		rv = -1;
	} else
		rv = jsonu_parse_valid(fixed, fixedlen, depth, rootp, err,
		    errlen);
	free(fixed);
	return rv;
}

/*
 * The parser of the last depth asked for, kept for the next text: a new
 * one per text was a calloc of its depth's stack, large enough to make
 * glibc consolidate its fast bins, on every push (bench figure 1).
 * Parsing never calls back into this module, so one is enough.
 */
static struct json_tokener *jsonu_tok;
static int jsonu_tok_depth;

/* Returns a reset parser nesting at most depth levels (borrowed). */
static struct json_tokener *
jsonu_tokener(int depth)
{
	if (jsonu_tok != NULL && jsonu_tok_depth == depth) {
		json_tokener_reset(jsonu_tok);
		return jsonu_tok;
	}
	if (jsonu_tok != NULL)
		json_tokener_free(jsonu_tok);
	if ((jsonu_tok = json_tokener_new_ex(depth)) == NULL)
		fatalx("out of memory allocating a JSON parser");
	jsonu_tok_depth = depth;
	return jsonu_tok;
}

static int
jsonu_parse_valid(const char *data, size_t len, int depth,
    struct json_object **rootp, char *err, size_t errlen)
{
	struct json_tokener *tok = jsonu_tokener(depth);
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end;
	bool waited = false;

	root = json_tokener_parse_ex(tok, data, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A bare scalar at the very end waits for a delimiter: give it one. */
	if (root == NULL &&
	    json_tokener_get_error(tok) == json_tokener_continue) {
		root = json_tokener_parse_ex(tok, " ", 1);
		end = len;
		waited = true;
	}
	jerr = json_tokener_get_error(tok);
	/* JSON null parses to NULL: the caller's type check rejects it. */
	if (jerr != json_tokener_success) {
		if (jerr == json_tokener_error_depth)
			snprintf(err, errlen,
			    "JSON nested deeper than %d levels", depth);
		else if (waited)
			snprintf(err, errlen, "truncated JSON");
		else
			snprintf(err, errlen, "invalid JSON at offset %zu",
			    end);
		return -1;
	}
	for (; end < len; end++) {
		if (data[end] == '\0' || strchr(" \t\r\n", data[end]) == NULL) {
			snprintf(err, errlen, "invalid JSON at offset %zu",
			    end);
			json_object_put(root);
			return -1;
		}
	}
	*rootp = root;
	return 0;
}

const char *
jsonu_string_of(struct json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	return strlen(s) == (size_t)json_object_get_string_len(o) ? s : NULL;
}

struct json_object *
jsonu_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

const char *
jsonu_quote(char *buf, size_t size, const char *s)
{
	size_t i, max = size - 4;

	for (i = 0; s[i] != '\0' && i < max; i++)
		buf[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	strcpy(buf + i, s[i] != '\0' ? "..." : "");
	return buf;
}
