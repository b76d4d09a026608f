/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>

#include <event2/event.h>

#include "transport/net-int.h"
#include "transport/netround.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

TAILQ_HEAD(netround_members, netround_member);

/* Rounds are kept when they empty and taken again by a later join: a
 * daemon pinging every 30 s needs the same two or three for its life, and
 * a round is never freed inside its own callback. */
struct netround {
	TAILQ_ENTRY(netround) entry;
	struct net *net;
	uint64_t at_ms;
	struct event *ev;
	struct netround_members members;
	bool firing;		/* its callback runs: joins go elsewhere */
};

static void
netround_cb(evutil_socket_t fd, short what, void *arg)
{
	struct netround *r = arg;
	struct netround_member *m;

	/* One member at a time: a callback may take others out of the
	 * round (a connection closing another), never put one back in. */
	r->firing = true;
	while ((m = TAILQ_FIRST(&r->members)) != NULL) {
		TAILQ_REMOVE(&r->members, m, entry);
		m->round = NULL;
		m->cb(m->arg);
	}
	r->firing = false;
}

/* The round due at at_ms, or an idle one taken for it, or a new one. */
static struct netround *
netround_get(struct net *net, uint64_t at_ms, const struct timeval *now)
{
	struct netround *r, *idle = NULL;
	struct timeval tv;
	int64_t delay_us;

	TAILQ_FOREACH(r, &net->rounds, entry) {
		if (r->firing)
			continue;
		if (!TAILQ_EMPTY(&r->members) && r->at_ms == at_ms)
			return r;
		if (TAILQ_EMPTY(&r->members) && idle == NULL)
			idle = r;
	}
	if ((r = idle) == NULL) {
		r = xcalloc(1, sizeof(*r));
		r->net = net;
		r->ev = xevtimer_new(net->base, netround_cb, r);
		TAILQ_INIT(&r->members);
		TAILQ_INSERT_TAIL(&net->rounds, r, entry);
	}
	r->at_ms = at_ms;
	/* From now's microseconds, not its milliseconds: the round is due
	 * at at_ms exactly, whoever created it. */
	delay_us = (int64_t)at_ms * 1000 - ((int64_t)now->tv_sec * 1000000 +
	    now->tv_usec);
	if (delay_us < 0)
		delay_us = 0;
	tv.tv_sec = (time_t)(delay_us / 1000000);
	tv.tv_usec = (suseconds_t)(delay_us % 1000000);
	evtimer_add(r->ev, &tv);
	return r;
}

void
netround_join(struct net *net, struct netround_member *m, uint64_t at_ms,
    const struct timeval *now)
{
	struct netround *r;

	netround_leave(m);
	r = netround_get(net, at_ms, now);
	TAILQ_INSERT_TAIL(&r->members, m, entry);
	m->round = r;
	net->ping_round = at_ms;
}

void
netround_leave(struct netround_member *m)
{
	struct netround *r = m->round;

	if (r == NULL)
		return;
	TAILQ_REMOVE(&r->members, m, entry);
	m->round = NULL;
	if (TAILQ_EMPTY(&r->members) && !r->firing)
		evtimer_del(r->ev);
}

bool
netround_pending(const struct netround_member *m)
{
	return m->round != NULL;
}

uint64_t
netround_newest(const struct net *net)
{
	return net->ping_round;
}

void
netround_free_all(struct net *net)
{
	struct netround *r;

	while ((r = TAILQ_FIRST(&net->rounds)) != NULL) {
		TAILQ_REMOVE(&net->rounds, r, entry);
		event_free(r->ev);
		free(r);
	}
}
