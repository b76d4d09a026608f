/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "session/jmapurl.h"
#include "transport/url.h"
#include "util/xmalloc.h"

char *
jmapurl_from_config(const char *s)
{
	const char *host;
	struct url u;
	bool http;
	char *r;

	if ((host = strstr(s, "://")) != NULL) {
		if (url_parse(s, &u) == -1)
			return NULL;
		http = strcmp(u.scheme, "http") == 0 ||
		    strcmp(u.scheme, "https") == 0;
		/* RFC 8620 2.2: a server's base URL means discovery. */
		if (http && strcmp(u.path, "/") == 0) {
			host += 3;
			xasprintf(&r, "%.*s/.well-known/jmap",
			    (int)(host - s + strcspn(host, "/?#")), s);
		} else
			r = http ? xstrdup(s) : NULL;
		url_clear(&u);
		return r;
	}
	/* A bare "host:" is a typo here, not the scheme default. */
	if (*s == '\0' || s[strlen(s) - 1] == ':' || !url_valid_authority(s))
		return NULL;
	xasprintf(&r, "https://%s/.well-known/jmap", s);
	return r;
}

char *
jmapurl_expand_eventsource(const char *tmpl, const char *types,
    const char *closeafter, const char *ping)
{
	static const char *const names[] = { "types", "closeafter", "ping" };
	const char *const values[] = { types, closeafter, ping };

	/* Servers that publish a plain URL still get the parameters. */
	if (strchr(tmpl, '{') == NULL)
		return strchr(tmpl, '}') != NULL ? NULL :
		    url_add_query(tmpl, names, values, 3);
	return url_expand(tmpl, names, values, 3);
}
