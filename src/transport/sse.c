/* SPDX-License-Identifier: ISC */
/* The event stream parsing and interpretation of WHATWG HTML "Server-sent
 * events", fed with bytes split anywhere.  A line whose terminator is in the
 * fed chunk is parsed where it lies; only a line cut by the end of a chunk is
 * copied, so the cost is per line, not per byte.  Lines are split on bytes:
 * CR and LF never occur inside a UTF-8 sequence, and the decoder ends an
 * ill-formed one at them, so decoding each field value on its own gives what
 * decoding the whole stream first would. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/sse.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

/* A NUL-terminated byte string of at most max_event bytes. */
struct sse_buf {
	char *p;
	size_t len;
	size_t cap;
};

struct sse_parser {
	size_t max;
	sse_event_cb cb;
	void *arg;

	size_t bom_seen;	/* BOM bytes matched so far at the start */
	bool bom_done;		/* past the place where a BOM may be */
	bool after_cr;		/* a CR ended the last line: skip one LF */
	bool in_comment;	/* dropping the rest of a comment line */

	struct sse_buf line;	/* a line cut by the end of a chunk */
	struct sse_buf data;
	struct sse_buf type;
	bool type_nul;		/* the event name holds a NUL byte */
	char id[SSE_ID_MAX + 1];	/* the last event ID buffer */
	char id_string[SSE_ID_MAX + 1];	/* the last event ID string */
	size_t ids_too_long;
	size_t dispatches;
	uint64_t retry_ms;

	bool failed;
	char error[80];
};

static void	sse_fail(struct sse_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Appends n bytes; the caller has checked that the result fits max. */
static void
buf_append(struct sse_parser *p, struct sse_buf *b, const char *s, size_t n)
{
	size_t need = b->len + n + 1;

	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < need)
			cap *= 2;
		if (cap > p->max + 1)
			cap = p->max + 1;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_set(struct sse_parser *p, struct sse_buf *b, const char *s, size_t n)
{
	b->len = 0;
	buf_append(p, b, s, n);
}

static void
buf_release(struct sse_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void
sse_fail(struct sse_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	p->failed = true;
	/* The last event ID stays: the owner reconnects with it. */
	buf_release(&p->line);
	buf_release(&p->data);
	buf_release(&p->type);
}

struct sse_parser *
sse_new(size_t max_event, sse_event_cb cb, void *arg)
{
	struct sse_parser *p = xcalloc(1, sizeof(*p));

	p->max = max_event;
	p->cb = cb;
	p->arg = arg;
	return p;
}

void
sse_free(struct sse_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->line);
	buf_release(&p->data);
	buf_release(&p->type);
	free(p);
}

static void
sse_dispatch(struct sse_parser *p)
{
	struct sse_event ev;

	/* "Set the last event ID string of the event source to the value of
	 * the last event ID buffer", before anything else: an event with no
	 * data moves it too. */
	memcpy(p->id_string, p->id, sizeof(p->id));
	p->dispatches++;
	/* No listener can want a name that a C string cannot hold, and
	 * cutting it at the NUL could make it look like one that is wanted. */
	if (p->data.len == 0 || p->type_nul) {
		p->data.len = 0;
		p->type.len = 0;
		p->type_nul = false;
		return;
	}
	p->data.p[--p->data.len] = '\0';
	ev.type = p->type.len > 0 ? p->type.p : "message";
	ev.data = p->data.p;
	ev.data_len = p->data.len;
	ev.last_id = p->id_string;
	p->cb(&ev, p->arg);
	p->data.len = 0;
	p->type.len = 0;
}

static bool
field_is(const char *name, size_t nlen, const char *want)
{
	return nlen == strlen(want) && memcmp(name, want, nlen) == 0;
}

/* "Process the field": value is decoded text. */
static void
sse_field_value(struct sse_parser *p, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	if (field_is(name, nlen, "event")) {
		if (p->data.len + vlen > p->max) {
			sse_fail(p, "event larger than %zu bytes", p->max);
			return;
		}
		buf_set(p, &p->type, value, vlen);
		p->type_nul = memchr(value, '\0', vlen) != NULL;
	} else if (field_is(name, nlen, "data")) {
		if (p->data.len + p->type.len + vlen + 1 > p->max) {
			sse_fail(p, "event larger than %zu bytes", p->max);
			return;
		}
		buf_append(p, &p->data, value, vlen);
		buf_append(p, &p->data, "\n", 1);
	} else if (field_is(name, nlen, "id")) {
		if (memchr(value, '\0', vlen) != NULL)
			;
		else if (vlen > SSE_ID_MAX)
			p->ids_too_long++;
		else {
			memcpy(p->id, value, vlen);
			p->id[vlen] = '\0';
		}
	} else if (field_is(name, nlen, "retry")) {
		uint64_t ms = 0;
		size_t i;

		for (i = 0; i < vlen; i++) {
			unsigned d = (unsigned char)value[i] - '0';

			if (d > 9)
				return;
			if (ms > (UINT64_MAX - d) / 10)
				ms = UINT64_MAX;
			else
				ms = ms * 10 + d;
		}
		/* An empty value is not a number. */
		if (vlen > 0)
			p->retry_ms = ms;
	}
}

/* Field names are compared as bytes: one that is not valid UTF-8 cannot
 * equal a known name, decoded or not.  Values are decoded: the data, the
 * event type and the id are text. */
static void
sse_field(struct sse_parser *p, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	char *decoded;

	if (utf8_valid(value, vlen)) {
		sse_field_value(p, name, nlen, value, vlen);
		return;
	}
	decoded = utf8_decode(value, vlen, &vlen);
	sse_field_value(p, name, nlen, decoded, vlen);
	free(decoded);
}

/* One whole line, without its terminator. */
static void
sse_line(struct sse_parser *p, const char *s, size_t n)
{
	const char *colon, *value;
	size_t nlen, vlen;

	if (n == 0) {
		sse_dispatch(p);
		return;
	}
	if (s[0] == ':')
		return;
	if (n > p->max) {
		sse_fail(p, "line longer than %zu bytes", p->max);
		return;
	}
	if ((colon = memchr(s, ':', n)) != NULL) {
		nlen = colon - s;
		value = colon + 1;
		vlen = n - nlen - 1;
		if (vlen > 0 && value[0] == ' ') {
			value++;
			vlen--;
		}
	} else {
		nlen = n;
		value = "";
		vlen = 0;
	}
	sse_field(p, s, nlen, value, vlen);
}

/* Keeps the start of a line until its terminator arrives. */
static void
sse_partial(struct sse_parser *p, const char *s, size_t n)
{
	if (p->in_comment || n == 0)
		return;
	if (p->line.len == 0 && s[0] == ':') {
		p->in_comment = true;
		return;
	}
	if (p->line.len + n > p->max) {
		sse_fail(p, "line longer than %zu bytes", p->max);
		return;
	}
	buf_append(p, &p->line, s, n);
}

static int
sse_scan(struct sse_parser *p, const char *buf, size_t len)
{
	size_t i = 0, j;

	while (i < len && !p->failed) {
		if (p->after_cr) {
			p->after_cr = false;
			if (buf[i] == '\n') {
				i++;
				continue;
			}
		}
		for (j = i; j < len && buf[j] != '\n' && buf[j] != '\r'; j++)
			;
		if (j == len) {
			sse_partial(p, buf + i, len - i);
			break;
		}
		p->after_cr = buf[j] == '\r';
		if (p->in_comment)
			p->in_comment = false;
		else if (p->line.len == 0)
			sse_line(p, buf + i, j - i);
		else {
			sse_partial(p, buf + i, j - i);
			if (!p->failed) {
				size_t n = p->line.len;

				p->line.len = 0;
				sse_line(p, p->line.p, n);
			}
		}
		i = j + 1;
	}
	return p->failed ? -1 : 0;
}

int
sse_feed(struct sse_parser *p, const char *buf, size_t len)
{
	if (p->failed)
		return -1;
	while (!p->bom_done && len > 0) {
		if ((unsigned char)buf[0] == bom[p->bom_seen]) {
			buf++;
			len--;
			if (++p->bom_seen == sizeof(bom)) {
				p->bom_seen = 0;
				p->bom_done = true;
			}
		} else {
			size_t held = p->bom_seen;

			/* Not a BOM after all: what matched is text. */
			p->bom_seen = 0;
			p->bom_done = true;
			if (sse_scan(p, (const char *)bom, held) == -1)
				return -1;
		}
	}
	return sse_scan(p, buf, len);
}

const char *
sse_error(const struct sse_parser *p)
{
	return p->failed ? p->error : NULL;
}

const char *
sse_last_event_id(const struct sse_parser *p)
{
	return p->id_string;
}

size_t
sse_dispatches(const struct sse_parser *p)
{
	return p->dispatches;
}

size_t
sse_ids_too_long(const struct sse_parser *p)
{
	return p->ids_too_long;
}

bool
sse_content_type_ok(const char *v)
{
	static const char want[] = "text/event-stream";
	size_t n = sizeof(want) - 1;

	if (v == NULL)
		return false;
	/* HTTP whitespace around the essence; ";" starts the parameters. */
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, want, n) != 0)
		return false;
	for (v += n; *v == ' ' || *v == '\t'; v++)
		;
	return *v == '\0' || *v == ';';
}

uint64_t
sse_retry_ms(const struct sse_parser *p)
{
	return p->retry_ms;
}

size_t
sse_pending(const struct sse_parser *p)
{
	return p->bom_seen + p->line.len + p->data.len + p->type.len;
}

size_t
sse_memory(const struct sse_parser *p)
{
	return p->line.cap + p->data.cap + p->type.cap;
}
