/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>

#include <event2/event.h>
#include <uv.h>

#include "transport/uvbridge.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* uv_run(NOWAIT) handles one batch; a timeout of 0 afterwards means more is
 * ready (expired timers, pending callbacks).  A few extra rounds drain that
 * without starving libevent. */
#define UVBRIDGE_MAX_ROUNDS 4

struct uvbridge {
	struct event_base *base;
	uv_loop_t loop;
	struct event *io;	/* uv_backend_fd() readable */
	struct event *timer;	/* uv_backend_timeout() */
	struct event *kick;	/* deferred pump */
	bool in_pump;
	unsigned long pumps;
};

static void
uvbridge_arm(struct uvbridge *ub)
{
	int ms;
	struct timeval tv;

	/* An empty loop reports a timeout of 0: re-arming it would spin. */
	if (!uv_loop_alive(&ub->loop)) {
		evtimer_del(ub->timer);
		return;
	}
	ms = uv_backend_timeout(&ub->loop);
	if (ms < 0) {
		evtimer_del(ub->timer);
		return;
	}
	tv = timeutil_tv_ms((uint64_t)ms);
	evtimer_add(ub->timer, &tv);
}

void
uvbridge_pump(struct uvbridge *ub)
{
	if (ub->in_pump)
		return;
	ub->in_pump = true;
	ub->pumps++;
	for (int i = 0; i < UVBRIDGE_MAX_ROUNDS; i++) {
		uv_run(&ub->loop, UV_RUN_NOWAIT);
		if (!uv_loop_alive(&ub->loop) ||
		    uv_backend_timeout(&ub->loop) != 0)
			break;
	}
	ub->in_pump = false;
	uvbridge_arm(ub);
}

static void
uvbridge_cb(evutil_socket_t fd, short what, void *arg)
{
	uvbridge_pump(arg);
}

struct uvbridge *
uvbridge_new(struct event_base *base)
{
	struct uvbridge *ub = xcalloc(1, sizeof(*ub));
	int r;

	ub->base = base;
	if ((r = uv_loop_init(&ub->loop)) != 0)
		fatalx("libuv: cannot create a loop: %s", uv_strerror(r));
	ub->io = xevent_new(base, uv_backend_fd(&ub->loop),
	    EV_READ | EV_PERSIST, uvbridge_cb, ub);
	ub->timer = xevtimer_new(base, uvbridge_cb, ub);
	ub->kick = xevent_new(base, -1, 0, uvbridge_cb, ub);
	event_add(ub->io, NULL);
	return ub;
}

uv_loop_t *
uvbridge_loop(struct uvbridge *ub)
{
	return &ub->loop;
}

void
uvbridge_kick(struct uvbridge *ub)
{
	event_active(ub->kick, EV_TIMEOUT, 0);
}

unsigned long
uvbridge_pumps(const struct uvbridge *ub)
{
	return ub->pumps;
}

bool
uvbridge_alive(struct uvbridge *ub)
{
	return uv_loop_alive(&ub->loop) != 0;
}

void
uvbridge_free(struct uvbridge *ub)
{
	int r;

	if (ub == NULL)
		return;
	event_free(ub->io);
	event_free(ub->timer);
	event_free(ub->kick);
	/* Handles closed by lws need one more turn to run their close
	 * callbacks. */
	uv_run(&ub->loop, UV_RUN_NOWAIT);
	if ((r = uv_loop_close(&ub->loop)) != 0)
		log_warnx("libuv: loop still has handles at exit: %s",
		    uv_strerror(r));
	free(ub);
}
