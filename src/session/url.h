/* URLs as JMAP uses them: parsing, RFC 3986 resolution, discovery from the
 * configured `url =`, and RFC 6570 expansion of eventSourceUrl.  Pure
 * functions: no I/O and no logging (callers log). */
#ifndef JP_URL_H
#define JP_URL_H

#include <stdbool.h>

struct url {
	char *scheme;	/* lowercase: "http", "https", "ws", "wss" */
	char *host;	/* lowercase; no brackets for IPv6 literals */
	int port;	/* explicit or the scheme default (80/443) */
	char *path;	/* path plus query, always starting with '/' */
	bool tls;	/* https or wss */
};

/* Absolute http/https/ws/wss URLs only; userinfo ("user@") rejected; the
 * fragment is dropped.  -1 on error, with *out left zeroed. */
int url_parse(const char *s, struct url *out);
void url_clear(struct url *);

/* RFC 3986 section 5.2 resolution (with dot-segment removal) of ref against
 * an absolute base.  Also the Cyrus quirk: a ref with an http/https/ws/wss
 * scheme but no authority ("wss:/jmap/ws/") takes the authority (host and
 * port) from base.  NULL on error (base not absolute, control characters,
 * spaces or 8-bit bytes in either). */
char *url_resolve(const char *base, const char *ref);

/* What the user wrote as `url =`: "jmap.example.com", "host:8443" or
 * "[::1]:8443" -> "https://AUTHORITY/.well-known/jmap"; an http(s) URL
 * with an empty path or "/" (and no query) gets "/.well-known/jmap" as its
 * path; any other valid http(s) URL is returned unchanged (copy).  NULL
 * when neither. */
char *url_from_config(const char *s);

/* RFC 6570 expansion of an eventSourceUrl template with the variables types,
 * closeafter and ping; values are percent-encoded (',' and '*' too: level 1).
 * Level 1 "{var}" plus, for robustness, comma lists and the "{?var,...}" and
 * "{&var,...}" forms of level 3.  Unknown variables and NULL values are
 * undefined (expand to nothing).  A URL with no '{' gets
 * "?types=..&closeafter=..&ping=.." appended ('&' when it already has a
 * query).  NULL on error: unbalanced braces, bad variable name, another
 * operator. */
char *url_expand_eventsource(const char *tmpl, const char *types,
    const char *closeafter, const char *ping);

/* "host:port" for logs: "127.0.0.1:8080", "[::1]:443". */
char *url_authority(const struct url *);

#endif
