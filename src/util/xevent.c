/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <event2/event.h>

#include "util/log.h"
#include "util/xevent.h"

struct event *
xevent_new(struct event_base *base, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	struct event *ev;

	if ((ev = event_new(base, fd, what, cb, arg)) == NULL)
		fatalx("libevent: out of memory creating an event");
	return ev;
}

struct event *
xevtimer_new(struct event_base *base, event_callback_fn cb, void *arg)
{
	return xevent_new(base, -1, 0, cb, arg);
}

struct event *
xevsignal_new(struct event_base *base, int signum, event_callback_fn cb,
    void *arg)
{
	return xevent_new(base, signum, EV_SIGNAL | EV_PERSIST, cb, arg);
}
