/* SPDX-License-Identifier: ISC */
/*
 * Idle cost decides how this module watches the clocks: it must not wake
 * the daemon by itself (issue 7, figure 3), yet after a resume or a
 * wall-clock jump every connection must prove itself within 5 s (a
 * ping), or be replaced.
 *
 * - A wall-clock jump: a timerfd on CLOCK_REALTIME, absolute, a year
 *   ahead, with TFD_TIMER_CANCEL_ON_SET.  The kernel makes it readable
 *   (read fails with ECANCELED) the moment the clock is set, and also on
 *   resume from suspend: timekeeping_resume() treats a resume as a clock
 *   set.  No polling: it never fires otherwise.
 * - A suspend: logind's PrepareForSleep where a system bus exists, and the
 *   ECANCELED above.  In case neither comes (no logind, the timerfd could
 *   not be made), the clocks are also compared on the shared ping tick
 *   (ws_ping_delay of the default ping_interval): the pings of all
 *   sessions fire on it, so the check adds no wakeup of its own, but a
 *   resume is then noticed only up to one ping interval late.
 *
 * Whatever woke us, the clocks decide what happened: CLOCK_BOOTTIME runs
 * during a suspend and CLOCK_MONOTONIC does not; CLOCK_REALTIME moves
 * against CLOCK_MONOTONIC only when it is set (or on resume).  Both
 * differences stay put however long ago the last reading was, so no
 * reading needs refreshing in between.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "daemon/wakeup.h"
#include "transport/ws.h"
#include "util/busconn.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* Less than this between the clocks is scheduling noise, not sleep. */
#define WAKEUP_SLEPT_MS		2000
/* The jump timer's expiry: far enough never to be reached in practice. */
#define WAKEUP_FAR_S		(365 * 24 * 3600)
#define WAKEUP_SYSTEM_BUS	"/run/dbus/system_bus_socket"

struct wakeup {
	struct event_base *base;
	uint64_t jump_ms;
	wakeup_cb cb;
	void *arg;
	struct event *tick;		/* on the shared ping tick */
	int jump_fd;			/* CLOCK_REALTIME, CANCEL_ON_SET */
	struct event *jump_ev;
	struct wakeup_clocks last;
	int nl_fd;
	struct event *nl_ev;
	struct busconn *logind;
};

static const char *wakeup_names[] = {
	[WAKEUP_NONE] = "nothing",
	[WAKEUP_RESUMED] = "resume from suspend",
	[WAKEUP_CLOCK_JUMP] = "wall clock jump",
	[WAKEUP_ROUTE] = "network route change",
};

const char *
wakeup_reason_name(enum wakeup_reason r)
{
	return wakeup_names[r];
}

void
wakeup_read_clocks(struct wakeup_clocks *c)
{
	c->monotonic = timeutil_clock_ms(CLOCK_MONOTONIC);
	c->boottime = timeutil_clock_ms(CLOCK_BOOTTIME);
	c->realtime = (int64_t)timeutil_clock_ms(CLOCK_REALTIME);
}

enum wakeup_reason
wakeup_compare(const struct wakeup_clocks *before,
    const struct wakeup_clocks *after, uint64_t jump_ms)
{
	uint64_t mono = after->monotonic - before->monotonic;
	uint64_t boot = after->boottime - before->boottime;
	int64_t skew = (after->realtime - before->realtime) - (int64_t)mono;

	if (boot > mono && boot - mono >= WAKEUP_SLEPT_MS)
		return WAKEUP_RESUMED;
	if ((uint64_t)llabs(skew) > jump_ms)
		return WAKEUP_CLOCK_JUMP;
	return WAKEUP_NONE;
}

static void
wakeup_fire(struct wakeup *w, enum wakeup_reason r)
{
	log_info("%s: checking every connection", wakeup_reason_name(r));
	w->cb(r, w->arg);
}

static void
wakeup_check(struct wakeup *w)
{
	struct wakeup_clocks now;
	enum wakeup_reason r;

	wakeup_read_clocks(&now);
	r = wakeup_compare(&w->last, &now, w->jump_ms);
	w->last = now;
	if (r != WAKEUP_NONE)
		wakeup_fire(w, r);
}

static void
wakeup_tick_add(struct wakeup *w)
{
	struct timeval now, tv;
	uint64_t ms;

	event_base_gettimeofday_cached(w->base, &now);
	ms = ws_ping_delay(timeutil_tv_to_ms(&now), w->jump_ms);
	tv = timeutil_tv_ms(ms);
	evtimer_add(w->tick, &tv);
}

static void
wakeup_tick(evutil_socket_t fd, short what, void *arg)
{
	struct wakeup *w = arg;

	wakeup_check(w);
	wakeup_tick_add(w);
}

int
wakeup_jump_arm(int fd)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (clock_gettime(CLOCK_REALTIME, &its.it_value) == -1)
		return -1;
	its.it_value.tv_sec += WAKEUP_FAR_S;
	return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &its, NULL);
}

static void
wakeup_jump(evutil_socket_t fd, short what, void *arg)
{
	struct wakeup *w = arg;
	uint64_t n;

	/* ECANCELED is the news; an expiry a year on only needs re-arming. */
	if (read(fd, &n, sizeof(n)) == -1 && errno != ECANCELED &&
	    errno != EAGAIN)
		log_warnx("wakeup: reading the clock timer: %s",
		    strerror(errno));
	if (wakeup_jump_arm(fd) == -1) {
		log_warnx("wakeup: re-arming the clock timer: %s; wall-clock "
		    "jumps are noticed on the ping tick only", strerror(errno));
		event_del(w->jump_ev);
	}
	wakeup_check(w);
}

static void
wakeup_jump_open(struct wakeup *w)
{
	w->jump_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->jump_fd == -1 || wakeup_jump_arm(w->jump_fd) == -1) {
		log_warnx("wakeup: clock timer: %s; wall-clock jumps are "
		    "noticed on the ping tick only", strerror(errno));
		if (w->jump_fd != -1)
			close(w->jump_fd);
		w->jump_fd = -1;
		return;
	}
	w->jump_ev = xevent_new(w->base, w->jump_fd, EV_READ | EV_PERSIST,
	    wakeup_jump, w);
	event_add(w->jump_ev, NULL);
}

/* RTM_NEWROUTE for a default route (dst_len 0) in the main table: the
 * network is back, so accounts waiting out a backoff may try now. */
static void
wakeup_netlink(evutil_socket_t fd, short what, void *arg)
{
	struct wakeup *w = arg;
	char buf[8192];
	struct nlmsghdr *nh;
	struct rtmsg *rt;
	bool route = false;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		    nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type != RTM_NEWROUTE)
				continue;
			rt = NLMSG_DATA(nh);
			if (rt->rtm_dst_len == 0 &&
			    rt->rtm_table == RT_TABLE_MAIN)
				route = true;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != ENOBUFS)
		log_debug("netlink: %s", strerror(errno));
	if (route)
		wakeup_fire(w, WAKEUP_ROUTE);
}

static void
wakeup_netlink_open(struct wakeup *w)
{
	struct sockaddr_nl sa;

	w->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (w->nl_fd == -1) {
		log_debug("netlink: %s; network changes will not be noticed",
		    strerror(errno));
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (bind(w->nl_fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_debug("netlink: bind: %s; network changes will not be "
		    "noticed", strerror(errno));
		close(w->nl_fd);
		w->nl_fd = -1;
		return;
	}
	w->nl_ev = xevent_new(w->base, w->nl_fd, EV_READ | EV_PERSIST,
	    wakeup_netlink, w);
	event_add(w->nl_ev, NULL);
}

static int
wakeup_prepare_for_sleep(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	struct wakeup *w = arg;
	int sleeping;

	if (sd_bus_message_read(m, "b", &sleeping) < 0)
		return 0;
	if (!sleeping) {
		wakeup_read_clocks(&w->last);
		wakeup_fire(w, WAKEUP_RESUMED);
	}
	return 0;
}

static void
wakeup_logind_connected(sd_bus *bus, void *arg)
{
	int r;

	r = sd_bus_match_signal(bus, NULL, "org.freedesktop.login1",
	    "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
	    "PrepareForSleep", wakeup_prepare_for_sleep, arg);
	if (r < 0)
		log_info("logind: cannot watch for suspend: %s; resume is "
		    "noticed from the clocks instead", strerror(-r));
}

struct wakeup *
wakeup_new(struct event_base *base, uint64_t jump_ms, wakeup_cb cb,
    void *arg)
{
	struct wakeup *w = xcalloc(1, sizeof(*w));

	w->base = base;
	w->jump_ms = jump_ms;
	w->cb = cb;
	w->arg = arg;
	w->nl_fd = -1;
	w->jump_fd = -1;
	wakeup_read_clocks(&w->last);
	w->tick = xevtimer_new(base, wakeup_tick, w);
	wakeup_tick_add(w);
	wakeup_jump_open(w);
	wakeup_netlink_open(w);
	/* Containers often have no system bus: then the clocks alone tell. */
	if (access(WAKEUP_SYSTEM_BUS, F_OK) == 0 ||
	    getenv("DBUS_SYSTEM_BUS_ADDRESS") != NULL)
		w->logind = busconn_new(base, BUSCONN_SYSTEM, "logind",
		    wakeup_logind_connected, w);
	return w;
}

void
wakeup_free(struct wakeup *w)
{
	if (w == NULL)
		return;
	busconn_free(w->logind);
	if (w->nl_ev != NULL)
		event_free(w->nl_ev);
	if (w->nl_fd != -1)
		close(w->nl_fd);
	if (w->jump_ev != NULL)
		event_free(w->jump_ev);
	if (w->jump_fd != -1)
		close(w->jump_fd);
	event_free(w->tick);
	free(w);
}
