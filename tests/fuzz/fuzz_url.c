/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/jmapurl.h"
#include "transport/url.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parse(const char *s)
{
	struct url u;

	if (url_parse(s, &u) == 0) {
		free(url_authority(&u));
		url_clear(&u);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size), *r;

	check_parse(s);
	free(jmapurl_from_config(s));
	if ((r = url_resolve("http://h:8080/jmap/a/b?q", s)) != NULL) {
		check_parse(r);
		free(r);
	}
	free(url_resolve(s, "../x/./y?z#f"));
	free(url_resolve(s, "wss:/jmap/ws/"));
	free(jmapurl_expand_eventsource(s, "Email,Mailbox", "no", "30"));
	free(jmapurl_expand_eventsource(s, NULL, "state", NULL));
	free(s);
	return 0;
}
