/* SPDX-License-Identifier: ISC */
/*
 * json-c helpers shared by the parsers of what servers and peers send.
 * Prefixed jsonu_, apart from json-c's own json_ names.
 */
#ifndef JP_JSON_H
#define JP_JSON_H

#include <stddef.h>

struct json_object;

/* Room jsonu_quote() needs to keep up to max characters of a string. */
#define JSONU_QUOTE_SIZE(max)	((max) + 4)

/*
 * Parses all of data[0..len) as one JSON text nested at most depth levels;
 * only blanks may follow it, a NUL byte is never one.  0 with the document
 * in *rootp (NULL for JSON null), or -1 with a message in err: "truncated
 * JSON", "invalid JSON at offset N" or "JSON nested deeper than N levels".
 * Bytes that are not UTF-8 are replaced by U+FFFD first (offsets in err
 * count the repaired text): every string in the document is valid UTF-8.
 */
int	 jsonu_parse_buffer(const char *data, size_t len, int depth,
	    struct json_object **rootp, char *err, size_t errlen);

/* The string value of o; NULL when o is not a string or hides a NUL. */
const char *jsonu_string_of(struct json_object *o);

/* A member of obj; NULL when absent, JSON null or obj is not an object. */
struct json_object *jsonu_member(struct json_object *obj, const char *key);

/*
 * s made safe for a log line or an error message: printable ASCII, at most
 * size - 4 characters then "..." when longer.  Returns buf, which holds
 * size bytes (size >= 4, see JSONU_QUOTE_SIZE).
 */
const char *jsonu_quote(char *buf, size_t size, const char *s);

#endif
