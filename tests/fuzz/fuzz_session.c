/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include "session/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const urls[] = {
		"http://localhost:8080/jmap/", "https://[::1]/.well-known/jmap",
	};

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct jmap_session s;
		char *err = NULL;

		if (session_parse((const char *)data, size, urls[i], &s,
		    &err) == 0) {
			if (s.naccounts > 0)
				session_account_name(&s, s.accounts[0].id);
			session_clear(&s);
		}
		free(err);
	}
	return 0;
}
