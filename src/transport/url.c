/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/url.h"
#include "util/xmalloc.h"

/* A growing string; out of memory is fatal like everywhere else. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

static char *
sbuf_finish(struct sbuf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static char *
lower_dup(const char *s, size_t n)
{
	char *r = xstrndup(s, n);

	for (char *p = r; *p != '\0'; p++)
		*p = (char)to_lower((unsigned char)*p);
	return r;
}

/* Bytes that must never reach a request line or a log unescaped. */
static bool
has_bad_bytes(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return true;
	return false;
}

/* Length of a valid RFC 3986 scheme followed by ':' at the start of s, or 0. */
static size_t
scheme_len(const char *s)
{
	size_t i;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; is_alpha((unsigned char)s[i]) ||
	    is_digit((unsigned char)s[i]) ||
	    s[i] == '+' || s[i] == '-' || s[i] == '.'; i++)
		;
	return s[i] == ':' ? i : 0;
}

/* The default port of the schemes we speak, -1 for any other scheme. */
static int
default_port(const char *scheme, size_t n, bool *tls)
{
	static const struct {
		const char *name;
		int port;
		bool tls;
	} schemes[] = {
		{ "http", 80, false },
		{ "https", 443, true },
		{ "ws", 80, false },
		{ "wss", 443, true },
	};

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].name) == n &&
		    strncasecmp(schemes[i].name, scheme, n) == 0) {
			*tls = schemes[i].tls;
			return schemes[i].port;
		}
	}
	return -1;
}

/* Port digits [s, s+n): 1..65535, at most 5 digits; -1 otherwise. */
static int
parse_port(const char *s, size_t n)
{
	int port = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

static bool
valid_ipv6(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

static bool
valid_regname(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_unreserved((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Splits an authority "host[:port]" (no userinfo).  The host is returned
 * without brackets; *port is 0 when absent or empty.
 */
static int
split_authority(const char *a, size_t n, const char **host, size_t *hostlen,
    int *port)
{
	const char *colon;

	*port = 0;
	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (close == NULL ||
		    !valid_ipv6(a + 1, (size_t)(close - a - 1)))
			return -1;
		*host = a + 1;
		*hostlen = (size_t)(close - a - 1);
		colon = close + 1;
		if (colon == a + n)
			return 0;
		if (*colon != ':')
			return -1;
	} else {
		colon = memchr(a, ':', n);
		*host = a;
		*hostlen = colon != NULL ? (size_t)(colon - a) : n;
		if (!valid_regname(a, *hostlen))
			return -1;
		if (colon == NULL)
			return 0;
	}
	/* RFC 3986 allows an empty port after ':' (scheme default). */
	if (colon + 1 == a + n)
		return 0;
	if ((*port = parse_port(colon + 1, (size_t)(a + n - colon - 1))) < 0)
		return -1;
	return 0;
}

int
url_parse(const char *s, struct url *out)
{
	const char *auth, *rest, *host, *frag;
	size_t slen, authlen, hostlen;
	bool tls;
	int defport, port;

	memset(out, 0, sizeof(*out));
	if (has_bad_bytes(s) || (slen = scheme_len(s)) == 0)
		return -1;
	if ((defport = default_port(s, slen, &tls)) < 0)
		return -1;
	if (strncmp(s + slen, "://", 3) != 0)
		return -1;
	auth = s + slen + 3;
	authlen = strcspn(auth, "/?#");
	rest = auth + authlen;
	if (memchr(auth, '@', authlen) != NULL)
		return -1;
	if (split_authority(auth, authlen, &host, &hostlen, &port) == -1)
		return -1;
	frag = strchr(rest, '#');
	out->scheme = lower_dup(s, slen);
	out->host = lower_dup(host, hostlen);
	out->port = port != 0 ? port : defport;
	out->tls = tls;
	if (*rest == '/')
		out->path = xstrndup(rest,
		    frag != NULL ? (size_t)(frag - rest) : strlen(rest));
	else
		xasprintf(&out->path, "/%.*s", frag != NULL ?
		    (int)(frag - rest) : (int)strlen(rest), rest);
	return 0;
}

void
url_clear(struct url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* The five components of RFC 3986 Appendix B; absent ones have a NULL start. */
struct uri_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
};

static void
uri_split(const char *s, struct uri_parts *p)
{
	size_t n;

	memset(p, 0, sizeof(*p));
	if ((n = scheme_len(s)) > 0) {
		p->scheme = s;
		p->scheme_len = n;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		p->auth = s + 2;
		p->auth_len = strcspn(p->auth, "/?#");
		s = p->auth + p->auth_len;
	}
	p->path = s;
	p->path_len = strcspn(s, "?#");
	s += p->path_len;
	if (*s == '?') {
		p->query = s + 1;
		p->query_len = strcspn(p->query, "#");
		s = p->query + p->query_len;
	}
	if (*s == '#') {
		p->frag = s + 1;
		p->frag_len = strlen(p->frag);
	}
}

static bool
starts(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && memcmp(s, prefix, pl) == 0;
}

static bool
equals(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

/* Drops the last segment and its preceding '/' from the output. */
static void
pop_segment(struct sbuf *out)
{
	char *slash;

	if (out->s == NULL)
		return;
	slash = strrchr(out->s, '/');
	out->len = slash != NULL ? (size_t)(slash - out->s) : 0;
	out->s[out->len] = '\0';
}

/* RFC 3986 section 5.2.4, on a copy it may rewrite in place. */
static char *
remove_dot_segments(const char *path, size_t n)
{
	struct sbuf out = { 0 };
	char *in = xstrndup(path, n), *p = in;
	size_t left = n;

	while (left > 0) {
		if (starts(p, left, "../")) {
			p += 3, left -= 3;
		} else if (starts(p, left, "./")) {
			p += 2, left -= 2;
		} else if (starts(p, left, "/./")) {
			p += 2, left -= 2;
		} else if (equals(p, left, "/.")) {
			p += 1, left -= 1;
			*p = '/';
		} else if (starts(p, left, "/../")) {
			p += 3, left -= 3;
			pop_segment(&out);
		} else if (equals(p, left, "/..")) {
			p += 2, left -= 2;
			*p = '/';
			pop_segment(&out);
		} else if (equals(p, left, ".") || equals(p, left, "..")) {
			left = 0;
		} else {
			size_t seg = p[0] == '/' ? 1 : 0;

			while (seg < left && p[seg] != '/')
				seg++;
			sbuf_addn(&out, p, seg);
			p += seg, left -= seg;
		}
	}
	free(in);
	return sbuf_finish(&out);
}

/* RFC 3986 section 5.2.3. */
static char *
merge_paths(const struct uri_parts *base, const char *ref, size_t reflen)
{
	struct sbuf out = { 0 };
	const char *slash = NULL;
	char *r;

	if (base->auth != NULL && base->path_len == 0) {
		sbuf_add(&out, "/");
	} else {
		for (size_t i = 0; i < base->path_len; i++)
			if (base->path[i] == '/')
				slash = base->path + i;
		if (slash != NULL)
			sbuf_addn(&out, base->path,
			    (size_t)(slash - base->path + 1));
	}
	sbuf_addn(&out, ref, reflen);
	r = remove_dot_segments(out.s, out.len);
	free(out.s);
	return r;
}

char *
url_resolve(const char *base, const char *ref)
{
	struct uri_parts b, r;
	const char *scheme, *auth, *query;
	size_t scheme_n, auth_n, query_n;
	struct sbuf out = { 0 };
	bool cyrus;
	char *path, *lscheme;

	if (has_bad_bytes(base) || has_bad_bytes(ref))
		return NULL;
	uri_split(base, &b);
	uri_split(ref, &r);
	if (b.scheme == NULL)
		return NULL;
	/* Cyrus advertises "wss:/jmap/ws/": a scheme but no authority. */
	cyrus = r.scheme != NULL && r.auth == NULL && b.auth != NULL &&
	    default_port(r.scheme, r.scheme_len, &(bool){ false }) > 0;
	scheme = r.scheme != NULL ? r.scheme : b.scheme;
	scheme_n = r.scheme != NULL ? r.scheme_len : b.scheme_len;
	if ((r.scheme != NULL && !cyrus) || r.auth != NULL) {
		auth = r.auth;
		auth_n = r.auth_len;
		path = remove_dot_segments(r.path, r.path_len);
		query = r.query;
		query_n = r.query_len;
	} else {
		auth = b.auth;
		auth_n = b.auth_len;
		if (r.path_len == 0) {
			path = xstrndup(b.path, b.path_len);
			query = r.query != NULL ? r.query : b.query;
			query_n = r.query != NULL ? r.query_len : b.query_len;
		} else {
			if (r.path[0] == '/')
				path = remove_dot_segments(r.path, r.path_len);
			else
				path = merge_paths(&b, r.path, r.path_len);
			query = r.query;
			query_n = r.query_len;
		}
	}
	lscheme = lower_dup(scheme, scheme_n);
	sbuf_add(&out, lscheme);
	sbuf_add(&out, ":");
	free(lscheme);
	if (auth != NULL) {
		sbuf_add(&out, "//");
		sbuf_addn(&out, auth, auth_n);
	}
	sbuf_add(&out, path);
	free(path);
	if (query != NULL) {
		sbuf_add(&out, "?");
		sbuf_addn(&out, query, query_n);
	}
	if (r.frag != NULL) {
		sbuf_add(&out, "#");
		sbuf_addn(&out, r.frag, r.frag_len);
	}
	return sbuf_finish(&out);
}

static void
add_encoded(struct sbuf *b, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		char enc[3] = { '%', hex[*p >> 4], hex[*p & 0xf] };

		if (is_unreserved(*p))
			sbuf_addn(b, (const char *)p, 1);
		else
			sbuf_addn(b, enc, 3);
	}
}

static bool
valid_varname(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.')
			return false;
	return true;
}

/* Expands one expression body (between the braces); -1 when malformed. */
static int
expand_expr(struct sbuf *b, const char *e, size_t n, const char *const names[],
    const char *const values[], size_t nvars)
{
	char op = 0;
	bool first = true;

	if (n > 0 && (e[0] == '?' || e[0] == '&')) {
		op = e[0];
		e++, n--;
	}
	while (1) {
		const char *comma = memchr(e, ',', n);
		size_t vn = comma != NULL ? (size_t)(comma - e) : n;
		const char *value = NULL;

		if (!valid_varname(e, vn))
			return -1;
		for (size_t i = 0; i < nvars; i++)
			if (equals(e, vn, names[i]))
				value = values[i];
		if (value != NULL) {
			if (op == 0) {
				if (!first)
					sbuf_add(b, ",");
			} else {
				sbuf_add(b, first && op == '?' ? "?" : "&");
				sbuf_addn(b, e, vn);
				sbuf_add(b, "=");
			}
			add_encoded(b, value);
			first = false;
		}
		if (comma == NULL)
			return 0;
		e += vn + 1, n -= vn + 1;
	}
}

char *
url_add_query(const char *url, const char *const names[],
    const char *const values[], size_t nvars)
{
	const char *frag = strchr(url, '#');
	size_t n = frag != NULL ? (size_t)(frag - url) : strlen(url);
	bool query = memchr(url, '?', n) != NULL;
	struct sbuf b = { 0 };

	sbuf_addn(&b, url, n);
	for (size_t i = 0; i < nvars; i++) {
		if (values[i] == NULL)
			continue;
		sbuf_add(&b, query ? "&" : "?");
		sbuf_add(&b, names[i]);
		sbuf_add(&b, "=");
		add_encoded(&b, values[i]);
		query = true;
	}
	return sbuf_finish(&b);
}

char *
url_expand(const char *tmpl, const char *const names[],
    const char *const values[], size_t nvars)
{
	struct sbuf b = { 0 };
	const char *p = tmpl;

	while (*p != '\0') {
		size_t lit = strcspn(p, "{}");
		const char *close;

		sbuf_addn(&b, p, lit);
		p += lit;
		if (*p == '\0')
			break;
		if (*p == '}' || (close = strpbrk(p + 1, "{}")) == NULL ||
		    *close != '}' ||
		    expand_expr(&b, p + 1, (size_t)(close - p - 1), names,
		    values, nvars) == -1) {
			free(b.s);
			return NULL;
		}
		p = close + 1;
	}
	return sbuf_finish(&b);
}

bool
url_valid_authority(const char *s)
{
	const char *host;
	size_t hostlen;
	int port;

	return split_authority(s, strlen(s), &host, &hostlen, &port) == 0;
}

char *
url_authority(const struct url *u)
{
	char *r;

	if (strchr(u->host, ':') != NULL)
		xasprintf(&r, "[%s]:%d", u->host, u->port);
	else
		xasprintf(&r, "%s:%d", u->host, u->port);
	return r;
}
