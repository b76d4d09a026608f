/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <event2/util.h>

#include "transport/dial.h"

/* Appends ai's address unless it is already there; false when full. */
static bool
dial_add(struct dial_addrs *out, const struct evutil_addrinfo *ai)
{
	char text[DIAL_ADDR_LEN];

	if (out->n == DIAL_MAX_ADDRS)
		return false;
	/* getnameinfo() keeps a link-local address's scope, which lws
	 * passes on to getaddrinfo(); inet_ntop() would drop it. */
	if (getnameinfo(ai->ai_addr, (socklen_t)ai->ai_addrlen, text,
	    sizeof(text), NULL, 0, NI_NUMERICHOST) != 0)
		return true;
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->addr[i], text) == 0)
			return true;
	memcpy(out->addr[out->n++], text, sizeof(text));
	return true;
}

/* The next address of family at or after *pos, or NULL. */
static const struct evutil_addrinfo *
dial_next_of(const struct evutil_addrinfo **pos, int family)
{
	const struct evutil_addrinfo *ai;

	for (ai = *pos; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == family && ai->ai_addr != NULL) {
			*pos = ai->ai_next;
			return ai;
		}
	*pos = NULL;
	return NULL;
}

size_t
dial_order(const struct evutil_addrinfo *res, struct dial_addrs *out)
{
	const struct evutil_addrinfo *v6 = res, *v4 = res, *ai;
	bool more = true;

	memset(out, 0, sizeof(*out));
	/* RFC 8305 section 4: alternate families, so that a family whose
	 * addresses all fail costs one attempt delay, not one per address;
	 * IPv6 first, as RFC 6724 would sort it on a dual-stack host. */
	while (more && (v6 != NULL || v4 != NULL)) {
		if ((ai = dial_next_of(&v6, AF_INET6)) != NULL)
			more = dial_add(out, ai);
		if (more && (ai = dial_next_of(&v4, AF_INET)) != NULL)
			more = dial_add(out, ai);
	}
	return out->n;
}

void
dial_init(struct dial *d, size_t naddrs)
{
	memset(d, 0, sizeof(*d));
	d->naddrs = naddrs;
}

int
dial_step(struct dial *d, enum dial_event ev)
{
	if (ev == DIAL_ATTEMPT_FAILED && d->running > 0)
		d->running--;
	if (d->next < d->naddrs) {
		d->running++;
		return (int)d->next++;
	}
	return d->running > 0 ? DIAL_WAIT : DIAL_GIVE_UP;
}
