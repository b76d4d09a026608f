/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>

#include <event2/event.h>

#include "util/log.h"
#include "util/memtrim.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

struct memtrim {
	struct event *timer;
	uint64_t quiet_ms;
	uint64_t min_events;
	uint64_t events;	/* since the last trim */
	uint64_t seen;		/* events when the timer was armed */
	bool armed;
};

/*
 * Events go on while the timer runs: it is not moved per event (a heap
 * operation each) but armed again when it finds that events came, so a
 * burst costs one timer wakeup per quiet_ms, and the trim comes between
 * quiet_ms and twice that after the last event.
 */
static void
memtrim_cb(evutil_socket_t fd, short what, void *arg)
{
	struct memtrim *m = arg;
	struct timeval tv;

	m->armed = false;
	if (m->events != m->seen) {
		m->seen = m->events;
		m->armed = true;
		tv = timeutil_tv_ms(m->quiet_ms);
		evtimer_add(m->timer, &tv);
		return;
	}
	log_debug("memtrim: giving back the heap freed after %llu events",
	    (unsigned long long)m->events);
	malloc_trim(0);
	m->events = 0;
}

struct memtrim *
memtrim_new(struct event_base *base, uint64_t quiet_ms, uint64_t min_events)
{
	struct memtrim *m = xcalloc(1, sizeof(*m));

	m->timer = xevtimer_new(base, memtrim_cb, m);
	m->quiet_ms = quiet_ms;
	m->min_events = min_events;
	return m;
}

void
memtrim_note(struct memtrim *m)
{
	struct timeval tv;

	if (++m->events < m->min_events || m->armed)
		return;
	m->seen = m->events;
	m->armed = true;
	tv = timeutil_tv_ms(m->quiet_ms);
	evtimer_add(m->timer, &tv);
}

void
memtrim_free(struct memtrim *m)
{
	if (m == NULL)
		return;
	event_free(m->timer);
	free(m);
}
