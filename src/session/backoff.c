/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "session/backoff.h"
#include "util/timeutil.h"

#define BACKOFF_RETRY_AFTER_MAX_MS	(24ULL * 3600 * 1000)

void
backoff_init(struct backoff *b, uint64_t initial_ms, uint64_t max_ms,
    uint64_t reset_ms, uint64_t seed)
{
	memset(b, 0, sizeof(*b));
	b->initial_ms = initial_ms ? initial_ms : 1;
	b->max_ms = max_ms < b->initial_ms ? b->initial_ms : max_ms;
	b->reset_ms = reset_ms;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t
backoff_random(struct backoff *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

uint64_t
backoff_ceiling(const struct backoff *b)
{
	uint64_t c = b->initial_ms;

	for (unsigned i = 0; i < b->attempt && c < b->max_ms; i++)
		c *= 2;
	return c > b->max_ms ? b->max_ms : c;
}

uint64_t
backoff_next(struct backoff *b, uint64_t at_least_ms)
{
	uint64_t ceiling = backoff_ceiling(b), d;

	d = backoff_random(b) % (ceiling + 1);
	if (b->attempt < 64)
		b->attempt++;
	return d < at_least_ms ? at_least_ms : d;
}

void
backoff_connected(struct backoff *b, uint64_t now_ms)
{
	b->up_since_ms = now_ms ? now_ms : 1;
}

bool
backoff_disconnected(struct backoff *b, uint64_t now_ms)
{
	bool long_lived = b->up_since_ms != 0 &&
	    now_ms - b->up_since_ms >= b->reset_ms;

	b->up_since_ms = 0;
	if (long_lived)
		b->attempt = 0;
	return long_lived;
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}

uint64_t
backoff_retry_after(const char *value, time_t now)
{
	static const char *formats[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	struct tm tm;
	const char *p;
	char *end;
	unsigned long long secs;
	time_t when;

	if (value == NULL)
		return 0;
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		secs = strtoull(value, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end != '\0')
			return 0;
		if (secs > BACKOFF_RETRY_AFTER_MAX_MS / 1000)
			return BACKOFF_RETRY_AFTER_MAX_MS;
		return secs * 1000;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		p = strptime(value, formats[i], &tm);
		if (p == NULL || *p != '\0')
			continue;
		when = timegm(&tm);
		if (when <= now)
			return 0;
		if ((uint64_t)(when - now) > BACKOFF_RETRY_AFTER_MAX_MS / 1000)
			return BACKOFF_RETRY_AFTER_MAX_MS;
		return (uint64_t)(when - now) * 1000;
	}
	return 0;
}

/* Accounts must not draw the same jitter, or a server restart brings
 * them all back at the same moment. */
uint64_t
backoff_seed(const char *name)
{
	struct timespec ts;
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return h ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid();
}

uint64_t
backoff_now_ms(void)
{
	return timeutil_mono_ms();
}
