/* SPDX-License-Identifier: ISC */
/* When to try again: exponential backoff with full jitter on the monotonic
 * clock, reset once a connection has proven healthy.  Pure arithmetic: the
 * caller passes the time, so tests drive it with a fake clock. */
#ifndef JP_BACKOFF_H
#define JP_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct backoff {
	uint64_t initial_ms;
	uint64_t max_ms;
	uint64_t reset_ms;
	unsigned attempt;	/* failures since the last healthy connection */
	uint64_t up_since_ms;	/* 0: not connected */
	uint64_t rng;		/* xorshift state, never 0 */
};

void backoff_init(struct backoff *, uint64_t initial_ms, uint64_t max_ms,
    uint64_t reset_ms, uint64_t seed);
/* The ceiling of the next delay: initial doubled per failure, capped. */
uint64_t backoff_ceiling(const struct backoff *);
/* The delay before the next attempt after a failure: uniform in
 * [0, ceiling] ("full jitter", which spreads hundreds of accounts that lost
 * one server at once), never below at_least_ms (a Retry-After).  Counts the
 * failure. */
uint64_t backoff_next(struct backoff *, uint64_t at_least_ms);
void backoff_connected(struct backoff *, uint64_t now_ms);
/* Ends a connection; true when it had lived backoff_reset or longer,
 * which also forgets earlier failures. */
bool backoff_disconnected(struct backoff *, uint64_t now_ms);
void backoff_reset(struct backoff *);

/* A Retry-After header: delta-seconds or an HTTP date (IMF-fixdate,
 * RFC 850 or asctime form) relative to now.  Milliseconds to wait; 0 for
 * a missing, past or unparsable value.  Capped at one day. */
uint64_t backoff_retry_after(const char *value, time_t now);

/* A seed for backoff_init(): the account name mixed with the time and the
 * process id. */
uint64_t backoff_seed(const char *name);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t backoff_now_ms(void);

#endif
