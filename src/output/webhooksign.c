/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "output/webhooksign.h"
#include "session/backoff.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
webhooksign_signature(const char *key, size_t keylen, const char *timestamp,
    const char *body, size_t bodylen, char out[WEBHOOKSIGN_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t tlen = strlen(timestamp);
	unsigned char *msg = xmalloc(tlen + 1 + bodylen);

	/* The one-shot HMAC(): HMAC_CTX is deprecated in OpenSSL 3. */
	memcpy(msg, timestamp, tlen);
	msg[tlen] = '.';
	memcpy(msg + tlen + 1, body, bodylen);
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, tlen + 1 + bodylen, mac,
	    &maclen) == NULL || maclen != 32)
		fatalx("webhook: HMAC-SHA256 failed");
	free(msg);
	memcpy(out, "sha256=", 7);
	for (unsigned int i = 0; i < maclen; i++) {
		out[7 + 2 * i] = hex[mac[i] >> 4];
		out[7 + 2 * i + 1] = hex[mac[i] & 0xf];
	}
	out[WEBHOOKSIGN_LEN - 1] = '\0';
}

enum webhooksign_outcome
webhooksign_outcome(int status)
{
	if (status >= 200 && status < 300)
		return WEBHOOKSIGN_DELIVERED;
	if (status == 0 || status == 408 || status == 429 || status >= 500)
		return WEBHOOKSIGN_RETRY;
	return WEBHOOKSIGN_DROP;
}

uint64_t
webhooksign_retry_after(const char *value, time_t now)
{
	uint64_t ms;

	if (value == NULL)
		return 0;
	ms = backoff_retry_after(value, now);
	return ms > WEBHOOKSIGN_RETRY_AFTER_MAX_MS ?
	    WEBHOOKSIGN_RETRY_AFTER_MAX_MS : ms;
}
