/* SPDX-License-Identifier: ISC */
/*
 * sd-bus inside the libevent loop.  sd-bus says what it waits for with
 * sd_bus_get_fd(), sd_bus_get_events() and sd_bus_get_timeout(); one I/O
 * event and one timer mirror that, and sd_bus_process() runs until it has
 * nothing left to do.  When the bus goes away (dbus-daemon restarted, the
 * user session ended) the connection is dropped and opened again with a
 * backoff: the bus is an output like any other and never holds up pushes.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "util/busconn.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define BUSCONN_BACKOFF_MIN_MS	500
#define BUSCONN_BACKOFF_MAX_MS	30000
/* Messages handled in one go before other events get a turn. */
#define BUSCONN_BATCH		64

struct busconn {
	struct event_base	*base;
	enum busconn_kind	 kind;
	char			*what;
	busconn_fn		 on_connect;
	void			*arg;

	sd_bus			*bus;
	struct event		*io;		/* on the bus fd, re-armed */
	struct event		*timer;		/* sd-bus' own deadline */
	struct event		*kick;		/* process soon */
	struct event		*retry;		/* open again */
	unsigned		 backoff_ms;
	bool			 announced;	/* "not available" was logged */
	bool			 connected_once;
};

static void busconn_process(evutil_socket_t, short, void *);

const char *
busconn_kind_name(enum busconn_kind kind)
{
	return kind == BUSCONN_SYSTEM ? "system" : "session";
}

static void
busconn_schedule_retry(struct busconn *bc)
{
	struct timeval tv = timeutil_tv_ms(bc->backoff_ms);

	evtimer_add(bc->retry, &tv);
	bc->backoff_ms = bc->backoff_ms * 2 > BUSCONN_BACKOFF_MAX_MS ?
	    BUSCONN_BACKOFF_MAX_MS : bc->backoff_ms * 2;
}

static void
busconn_drop(struct busconn *bc)
{
	if (bc->bus == NULL)
		return;
	event_del(bc->io);
	event_del(bc->timer);
	/* No flush: a stuck bus must not block the daemon. */
	bc->bus = sd_bus_close_unref(bc->bus);
}

static void
busconn_lost(struct busconn *bc, int r)
{
	log_warnx("%s: lost the D-Bus %s bus (%s); connecting again",
	    bc->what, busconn_kind_name(bc->kind), strerror(r < 0 ? -r :
	    ENOTCONN));
	busconn_drop(bc);
	bc->backoff_ms = BUSCONN_BACKOFF_MIN_MS;
	bc->announced = true;
	busconn_schedule_retry(bc);
}

/* Mirrors what sd-bus waits for into the I/O event and the timer. */
static void
busconn_arm(struct busconn *bc)
{
	struct timespec	 now;
	struct timeval	 tv;
	uint64_t	 deadline, now_us, wait_us;
	short		 what = 0;
	int		 events, fd;

	if ((fd = sd_bus_get_fd(bc->bus)) < 0 ||
	    (events = sd_bus_get_events(bc->bus)) < 0) {
		busconn_lost(bc, fd < 0 ? fd : -ENOTCONN);
		return;
	}
	if (events & POLLIN)
		what |= EV_READ;
	if (events & POLLOUT)
		what |= EV_WRITE;
	event_del(bc->io);
	event_assign(bc->io, bc->base, fd, what, busconn_process, bc);
	if (what != 0)
		event_add(bc->io, NULL);

	event_del(bc->timer);
	if (sd_bus_get_timeout(bc->bus, &deadline) < 0 ||
	    deadline == UINT64_MAX)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_us = timeutil_ts_to_us(&now);
	wait_us = deadline > now_us ? deadline - now_us : 0;
	tv = timeutil_tv_us(wait_us);
	evtimer_add(bc->timer, &tv);
}

static void
busconn_process(evutil_socket_t fd, short what, void *arg)
{
	struct busconn	*bc = arg;
	int		 r = 0, i;

	if (bc->bus == NULL)
		return;
	for (i = 0; i < BUSCONN_BATCH; i++)
		if ((r = sd_bus_process(bc->bus, NULL)) <= 0)
			break;
	if (r < 0 || sd_bus_is_open(bc->bus) <= 0) {
		busconn_lost(bc, r);
		return;
	}
	if (i == BUSCONN_BATCH)
		event_active(bc->kick, EV_TIMEOUT, 0);
	busconn_arm(bc);
}

static int
busconn_open_bus(struct busconn *bc, sd_bus **bus)
{
	if (bc->kind == BUSCONN_SYSTEM)
		return sd_bus_open_system(bus);
	return sd_bus_open_user(bus);
}

static void
busconn_open(evutil_socket_t fd, short what, void *arg)
{
	struct busconn	*bc = arg;
	int		 r;

	if ((r = busconn_open_bus(bc, &bc->bus)) < 0) {
		bc->bus = NULL;
		if (!bc->announced)
			log_info("%s: no D-Bus %s bus yet (%s); trying again "
			    "in the background", bc->what,
			    busconn_kind_name(bc->kind), strerror(-r));
		else
			log_debug("%s: D-Bus %s bus still unavailable: %s",
			    bc->what, busconn_kind_name(bc->kind),
			    strerror(-r));
		bc->announced = true;
		busconn_schedule_retry(bc);
		return;
	}
	if (bc->announced || bc->connected_once)
		log_info("%s: connected to the D-Bus %s bus", bc->what,
		    busconn_kind_name(bc->kind));
	else
		log_debug("%s: connected to the D-Bus %s bus", bc->what,
		    busconn_kind_name(bc->kind));
	bc->announced = false;
	bc->connected_once = true;
	bc->backoff_ms = BUSCONN_BACKOFF_MIN_MS;
	bc->on_connect(bc->bus, bc->arg);
	event_active(bc->kick, EV_TIMEOUT, 0);
}

struct busconn *
busconn_new(struct event_base *base, enum busconn_kind kind,
    const char *what, busconn_fn on_connect, void *arg)
{
	struct busconn *bc = xcalloc(1, sizeof(*bc));

	bc->base = base;
	bc->kind = kind;
	bc->what = xstrdup(what);
	bc->on_connect = on_connect;
	bc->arg = arg;
	bc->backoff_ms = BUSCONN_BACKOFF_MIN_MS;
	bc->io = xevent_new(base, -1, 0, busconn_process, bc);
	bc->timer = xevtimer_new(base, busconn_process, bc);
	bc->kick = xevtimer_new(base, busconn_process, bc);
	bc->retry = xevtimer_new(base, busconn_open, bc);
	/* Opened from the loop, so that on_connect never runs inside the
	 * caller's own setup. */
	event_active(bc->retry, EV_TIMEOUT, 0);
	return bc;
}

void
busconn_free(struct busconn *bc)
{
	if (bc == NULL)
		return;
	busconn_drop(bc);
	event_free(bc->io);
	event_free(bc->timer);
	event_free(bc->kick);
	event_free(bc->retry);
	free(bc->what);
	free(bc);
}

sd_bus *
busconn_bus(const struct busconn *bc)
{
	return bc->bus;
}

void
busconn_kick(struct busconn *bc)
{
	if (bc->bus != NULL)
		event_active(bc->kick, EV_TIMEOUT, 0);
}
