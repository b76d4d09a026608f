/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>

#include "transport/endpoint.h"
#include "util/secret.h"
#include "util/xmalloc.h"

struct endpoint *
endpoint_new(const char *url, struct secret *authorization,
    const char *ca_file, bool insecure)
{
	struct endpoint *ep = xcalloc(1, sizeof(*ep));

	ep->url = xstrdup(url);
	ep->authorization = secret_ref(authorization);
	ep->ca_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	ep->insecure = insecure;
	ep->refs = 1;
	return ep;
}

struct endpoint *
endpoint_with_url(const struct endpoint *ep, const char *url)
{
	return endpoint_new(url, ep->authorization, ep->ca_file,
	    ep->insecure);
}

struct endpoint *
endpoint_ref(struct endpoint *ep)
{
	ep->refs++;
	return ep;
}

void
endpoint_unref(struct endpoint *ep)
{
	if (ep == NULL || --ep->refs > 0)
		return;
	free(ep->url);
	secret_unref(ep->authorization);
	free(ep->ca_file);
	free(ep);
}

const char *
endpoint_authorization(const struct endpoint *ep)
{
	return secret_value(ep->authorization);
}
