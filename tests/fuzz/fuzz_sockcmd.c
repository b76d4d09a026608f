/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include "output/sockproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One client line, then what the daemon does with a parsed subscribe. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockproto_sub sub;
	struct sockcmd c;
	char *reply;

	if (sockcmd_parse((const char *)data, size, &c, &reply) == -1) {
		free(reply);
		return 0;
	}
	if (c.kind == SOCKCMD_SUBSCRIBE) {
		sockproto_sub_all(&sub);
		sockproto_sub_set(&sub, &c);
		(void)sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "personal",
		    NULL);
		sockproto_sub_clear(&sub);
	}
	sockcmd_clear(&c);
	return 0;
}
