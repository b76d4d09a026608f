/* SPDX-License-Identifier: ISC */
/*
 * libevent constructors that cannot fail: event_new() returns NULL only
 * when memory runs out, which is fatal here as everywhere (util/xmalloc.h).
 * Apart from util/xmalloc so that jmap-pushctl, which links util/ but has
 * no event loop, does not pull libevent in (tests/ctl/link.sh).
 */
#ifndef JP_XEVENT_H
#define JP_XEVENT_H

#include <event2/event.h>

/* event_new(), never NULL.  The caller frees it with event_free(). */
struct event	*xevent_new(struct event_base *base, evutil_socket_t fd,
		    short what, event_callback_fn cb, void *arg);
/* evtimer_new(), never NULL. */
struct event	*xevtimer_new(struct event_base *base, event_callback_fn cb,
		    void *arg);
/* evsignal_new(), never NULL. */
struct event	*xevsignal_new(struct event_base *base, int signum,
		    event_callback_fn cb, void *arg);

#endif
