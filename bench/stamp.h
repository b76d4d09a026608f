/* SPDX-License-Identifier: ISC */
/*
 * The stamps of the test server's /control/burst frames: a state string
 * "b<seq>-<ns>", ns being CLOCK_MONOTONIC when the server wrote the frame.
 * Shared by the benchmark's C helpers, which all print one line per stamp:
 * "<seq> <sent ns> <seen ns>".
 */
#ifndef BENCH_STAMP_H
#define BENCH_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static inline int64_t
stamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Parses "b<seq>-<ns>" at s (len bytes at most); false when it is not one. */
static inline bool
stamp_parse(const char *s, size_t len, uint64_t *seq, int64_t *sent)
{
	size_t i = 1;
	uint64_t a = 0;
	int64_t b = 0;

	if (len < 4 || s[0] != 'b' || s[1] < '0' || s[1] > '9')
		return false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		a = a * 10 + (uint64_t)(s[i] - '0');
	if (i >= len || s[i] != '-' || ++i >= len || s[i] < '0' || s[i] > '9')
		return false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		b = b * 10 + (s[i] - '0');
	*seq = a;
	*sent = b;
	return true;
}

/* The first stamp inside a JSON text: a string value ":"b<seq>-<ns>". */
static inline bool
stamp_find(const char *s, size_t len, uint64_t *seq, int64_t *sent)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, ':', (size_t)(end - p))) != NULL) {
		p++;
		if (end - p > 2 && p[0] == '"' &&
		    stamp_parse(p + 1, (size_t)(end - p - 1), seq, sent))
			return true;
	}
	return false;
}

#endif
