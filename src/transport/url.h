/* SPDX-License-Identifier: ISC */
/* URLs, nothing of JMAP: parsing, RFC 3986 resolution, RFC 6570 template
 * expansion and query strings (what JMAP makes of them, the configured
 * `url =` and eventSourceUrl, is in session/jmapurl.h).  Pure functions:
 * no I/O and no logging (callers log). */
#ifndef JP_URL_H
#define JP_URL_H

#include <stdbool.h>
#include <stddef.h>

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

/* Whether s is an authority "host[:port]" with no userinfo: a DNS name or
 * IPv4 address, or a bracketed IPv6 literal; an empty port is allowed. */
bool url_valid_authority(const char *s);

/* RFC 6570 expansion of tmpl with nvars variables (names[i] = values[i]);
 * values are percent-encoded (',' and '*' too: level 1).  Level 1 "{var}"
 * plus, for robustness, comma lists and the "{?var,...}" and
 * "{&var,...}" forms of level 3.  Unknown variables and NULL values are
 * undefined (expand to nothing).  NULL on error: unbalanced braces, bad
 * variable name, another operator. */
char *url_expand(const char *tmpl, const char *const names[],
    const char *const values[], size_t nvars);

/* url without its fragment, with "?name=value&..." appended for each
 * non-NULL value ('&' when it already has a query); values are
 * percent-encoded as in url_expand().  Never NULL. */
char *url_add_query(const char *url, const char *const names[],
    const char *const values[], size_t nvars);

/* "host:port" for logs: "127.0.0.1:8080", "[::1]:443". */
char *url_authority(const struct url *);

#endif
