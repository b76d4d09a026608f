/* SPDX-License-Identifier: ISC */
/* A streaming parser of the text/event-stream format (WHATWG HTML, "Server-
 * sent events", parsing and interpreting an event stream), for RFC 8620 7.3
 * EventSource push.  The stream is decoded as UTF-8 the way the spec's
 * decoder does (an invalid sequence becomes U+FFFD), so every string it hands
 * out is valid UTF-8.  Two deliberate limits beyond the spec: an event (and a
 * line) is bounded, and so is an id (SSE_ID_MAX); an event whose type holds a
 * NUL is not dispatched. */
#ifndef JP_SSE_H
#define JP_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sse_event {
	const char *type;	/* the event name; "message" when none given */
	const char *data;	/* the data lines joined with "\n", without the
				 * final "\n"; NUL-terminated (may hold NULs) */
	size_t data_len;
	const char *last_id;	/* the last event ID string after this event
				 * (may be "") */
};

/* Bytes of the longest id kept: the owner sends it back as Last-Event-ID,
 * and a server must not be able to make that header too large to send
 * (issue 12).  A longer id field is ignored like one holding a NUL. */
#define SSE_ID_MAX	256
/* The event and its strings are only valid during the call. */
typedef void (*sse_event_cb)(const struct sse_event *, void *arg);
struct sse_parser;

/* max_event bounds one event (its data plus its event name) and one field
 * line: a stream that exceeds it is an error, never unbounded memory.
 * Comment lines are skipped without being buffered, so they are unbounded. */
struct sse_parser *sse_new(size_t max_event, sse_event_cb cb, void *arg);
void sse_free(struct sse_parser *);
/* Feeds bytes as they arrive, split anywhere (even inside a CRLF or the BOM).
 * Calls cb for each complete event, except one whose event name holds a NUL
 * byte: that one is dropped.  0, or -1 after an error (the parser then
 * ignores further input and releases its buffers; sse_error() says why).
 * The callback may not free the parser nor feed it. */
int sse_feed(struct sse_parser *, const char *buf, size_t len);
/* Why sse_feed() failed, e.g. "event larger than 65536 bytes"; NULL before. */
const char *sse_error(const struct sse_parser *);
/* The "last event ID string": the last event ID buffer as it was at the
 * last dispatch (a blank line, whether or not an event followed), "" before
 * one: what to send as Last-Event-ID when reconnecting.  An id field seen
 * since then does not count until the next blank line. */
const char *sse_last_event_id(const struct sse_parser *);
/* How many blank lines dispatched (set the last event ID string), whether
 * or not an event followed. */
size_t sse_dispatches(const struct sse_parser *);
/* How many id fields were ignored for being longer than SSE_ID_MAX bytes. */
size_t sse_ids_too_long(const struct sse_parser *);
/* Whether a Content-Type header value is text/event-stream, as the spec's
 * check of the response asks (the MIME type's essence: case-insensitive,
 * parameters and surrounding whitespace ignored).  NULL (no header) is not. */
bool sse_content_type_ok(const char *);
/* The reconnection time from the last valid "retry:" field, 0 when none;
 * saturates at UINT64_MAX. */
uint64_t sse_retry_ms(const struct sse_parser *);
/* Bytes of an event still being assembled (the stream ended mid-event if
 * non-zero at EOF: such an event is discarded, as the spec says). */
size_t sse_pending(const struct sse_parser *);
/* Bytes the parser holds allocated for its buffers: at most 4 * (max_event +
 * 1), whatever the input. */
size_t sse_memory(const struct sse_parser *);

#endif
