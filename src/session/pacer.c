/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>

#include <stdlib.h>

#include <event2/event.h>

#include "session/pacer.h"
#include "util/log.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

enum pacer_state {
	PACER_IDLE,
	PACER_WAITING,
	PACER_HOLDING,
};

struct pacer_ticket {
	TAILQ_ENTRY(pacer_ticket) entry;
	struct pacer *p;
	pacer_cb go;
	void *arg;
	enum pacer_state state;
};

struct pacer {
	TAILQ_HEAD(, pacer_ticket) queue;
	unsigned max;
	unsigned inflight;
	unsigned queued;
	struct event *grant_ev;
};

/* Waiting attempts start from here, never from inside the callback that
 * ended another attempt: that caller may still be using its objects. */
static void
pacer_grant(evutil_socket_t fd, short what, void *arg)
{
	struct pacer *p = arg;
	struct pacer_ticket *t;

	while (p->inflight < p->max && (t = TAILQ_FIRST(&p->queue)) != NULL) {
		TAILQ_REMOVE(&p->queue, t, entry);
		p->queued--;
		t->state = PACER_HOLDING;
		p->inflight++;
		t->go(t->arg);
	}
}

struct pacer *
pacer_new(struct event_base *base, unsigned max_inflight)
{
	struct pacer *p = xcalloc(1, sizeof(*p));

	TAILQ_INIT(&p->queue);
	p->max = max_inflight > 0 ? max_inflight : 1;
	p->grant_ev = xevent_new(base, -1, 0, pacer_grant, p);
	return p;
}

void
pacer_free(struct pacer *p)
{
	if (p == NULL)
		return;
	if (p->inflight > 0 || p->queued > 0)
		fatalx("pacer_free: %u attempt(s) in flight, %u queued",
		    p->inflight, p->queued);
	event_free(p->grant_ev);
	free(p);
}

struct pacer_ticket *
pacer_ticket_new(struct pacer *p, pacer_cb go, void *arg)
{
	struct pacer_ticket *t = xcalloc(1, sizeof(*t));

	t->p = p;
	t->go = go;
	t->arg = arg;
	t->state = PACER_IDLE;
	return t;
}

void
pacer_ticket_free(struct pacer_ticket *t)
{
	if (t == NULL)
		return;
	pacer_release(t);
	free(t);
}

void
pacer_acquire(struct pacer_ticket *t)
{
	struct pacer *p = t->p;

	switch (t->state) {
	case PACER_WAITING:
		return;
	case PACER_HOLDING:
		break;
	default:
		if (p->inflight >= p->max || !TAILQ_EMPTY(&p->queue)) {
			TAILQ_INSERT_TAIL(&p->queue, t, entry);
			p->queued++;
			t->state = PACER_WAITING;
			return;
		}
		t->state = PACER_HOLDING;
		p->inflight++;
		break;
	}
	t->go(t->arg);
}

void
pacer_hurry(struct pacer_ticket *t)
{
	struct pacer *p = t->p;

	if (t->state != PACER_WAITING || TAILQ_FIRST(&p->queue) == t)
		return;
	TAILQ_REMOVE(&p->queue, t, entry);
	TAILQ_INSERT_HEAD(&p->queue, t, entry);
}

void
pacer_release(struct pacer_ticket *t)
{
	struct pacer *p = t->p;

	switch (t->state) {
	case PACER_WAITING:
		TAILQ_REMOVE(&p->queue, t, entry);
		p->queued--;
		break;
	case PACER_HOLDING:
		p->inflight--;
		if (!TAILQ_EMPTY(&p->queue))
			event_active(p->grant_ev, EV_TIMEOUT, 0);
		break;
	default:
		return;
	}
	t->state = PACER_IDLE;
}

bool
pacer_holding(const struct pacer_ticket *t)
{
	return t->state == PACER_HOLDING;
}

bool
pacer_waiting(const struct pacer_ticket *t)
{
	return t->state == PACER_WAITING;
}

unsigned
pacer_inflight(const struct pacer *p)
{
	return p->inflight;
}

unsigned
pacer_queued(const struct pacer *p)
{
	return p->queued;
}
