/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a parser made of the stream: its events folded into a hash. */
struct sum {
	size_t max;
	uint64_t hash;
	size_t events;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return h;
}

static void
on_event(const struct sse_event *ev, void *arg)
{
	struct sum *sum = arg;
	size_t tlen = strlen(ev->type), ilen = strlen(ev->last_id);

	if (ev->data[ev->data_len] != '\0' || tlen == 0 ||
	    ev->data_len >= sum->max ||
	    (tlen > sum->max && strcmp(ev->type, "message") != 0) ||
	    ilen > SSE_ID_MAX)
		abort();
	sum->hash = fnv(sum->hash, ev->type, tlen + 1);
	sum->hash = fnv(sum->hash, &ev->data_len, sizeof(ev->data_len));
	sum->hash = fnv(sum->hash, ev->data, ev->data_len);
	sum->hash = fnv(sum->hash, ev->last_id, ilen + 1);
	sum->events++;
}

static void
check_bounded(const struct sse_parser *p, size_t max)
{
	if (sse_memory(p) > 4 * (max + 1) || sse_pending(p) > 2 * max + 3)
		abort();
}

/*
 * The first byte picks max_event, the second how many chunk sizes follow;
 * the rest is the stream, fed in chunks of those sizes in turn.  Fed whole
 * to a second parser, it must give the same events and the same end state.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sse_parser *split, *whole;
	struct sum a = { 0 }, b = { 0 };
	const uint8_t *sizes;
	size_t max, nsizes, at, i;
	const char *s;
	size_t len;

	if (size < 2)
		return 0;
	max = data[0] & 0x80 ? 65536 : (size_t)(data[0] & 0x7f) * 3;
	nsizes = 1 + (data[1] & 7);
	if (size < 2 + nsizes)
		return 0;
	sizes = data + 2;
	s = (const char *)data + 2 + nsizes;
	len = size - 2 - nsizes;

	a.max = b.max = max;
	a.hash = b.hash = 0xcbf29ce484222325ULL;
	split = sse_new(max, on_event, &a);
	whole = sse_new(max, on_event, &b);
	for (at = 0, i = 0; at < len; i++) {
		size_t n = sizes[i % nsizes];

		/* An empty feed is legal, but the stream must move on. */
		if (n == 0) {
			if (sse_feed(split, s + at, 0) == -1 &&
			    sse_error(split) == NULL)
				abort();
			n = 1;
		}
		if (n > len - at)
			n = len - at;
		if (sse_feed(split, s + at, n) == -1 && sse_error(split) == NULL)
			abort();
		check_bounded(split, max);
		at += n;
	}
	sse_feed(whole, s, len);
	check_bounded(whole, max);

	if (a.events != b.events || a.hash != b.hash ||
	    (sse_error(split) == NULL) != (sse_error(whole) == NULL) ||
	    (sse_error(split) && strcmp(sse_error(split), sse_error(whole))) ||
	    strcmp(sse_last_event_id(split), sse_last_event_id(whole)) != 0 ||
	    sse_retry_ms(split) != sse_retry_ms(whole) ||
	    sse_pending(split) != sse_pending(whole))
		abort();
	sse_free(split);
	sse_free(whole);
	return 0;
}
