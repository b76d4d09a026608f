/* SPDX-License-Identifier: ISC */
/*
 * What a webhook decides without I/O: the signature of a POST, what a
 * response means for the event (delivered, retried, dropped), and how long
 * a Retry-After asks to wait.  Unit-tested in check_webhooksign.
 */
#ifndef JP_WEBHOOKSIGN_H
#define JP_WEBHOOKSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "sha256=" and 64 hex digits, with the NUL. */
#define WEBHOOKSIGN_LEN	(7 + 64 + 1)

/* X-Jmap-Pushd-Signature's value: "sha256=" and the lowercase hex
 * HMAC-SHA256 under key of timestamp "." body. */
void webhooksign_signature(const char *key, size_t keylen,
    const char *timestamp, const char *body, size_t bodylen,
    char out[WEBHOOKSIGN_LEN]);

enum webhooksign_outcome {
	WEBHOOKSIGN_DELIVERED,	/* 2xx */
	WEBHOOKSIGN_RETRY,	/* no response, 408, 429, 5xx, TLS failure */
	WEBHOOKSIGN_DROP,	/* 1xx, 3xx (not followed), other 4xx */
};

/* status 0: no (complete) response arrived. */
enum webhooksign_outcome webhooksign_outcome(int status);

/* The longest a Retry-After holds an event back: one hour. */
#define WEBHOOKSIGN_RETRY_AFTER_MAX_MS	(60 * 60 * 1000)
/* Retry-After (seconds or an HTTP date) in milliseconds, capped at
 * WEBHOOKSIGN_RETRY_AFTER_MAX_MS; 0 when absent, past or unparsable. */
uint64_t webhooksign_retry_after(const char *value, time_t now);

#endif
