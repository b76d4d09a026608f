/* SPDX-License-Identifier: ISC */
/* Notices what silently kills connections: a suspend and resume, a jump of
 * the wall clock, a network that comes back.  Connections are then made to
 * prove themselves instead of waiting for the next ping. */
#ifndef JP_WAKEUP_H
#define JP_WAKEUP_H

#include <stdint.h>

struct event_base;
struct wakeup;

enum wakeup_reason {
	WAKEUP_NONE,
	WAKEUP_RESUMED,		/* the machine slept */
	WAKEUP_CLOCK_JUMP,	/* wall clock moved against the monotonic one */
	WAKEUP_ROUTE,		/* a default route appeared */
};

typedef void (*wakeup_cb)(enum wakeup_reason, void *arg);

/* jump_ms: a wall-clock jump larger than this counts (the ping interval). */
struct wakeup *wakeup_new(struct event_base *, uint64_t jump_ms,
    wakeup_cb cb, void *arg);
void wakeup_free(struct wakeup *);
const char *wakeup_reason_name(enum wakeup_reason);

/* The clocks at one moment, in milliseconds. */
struct wakeup_clocks {
	uint64_t monotonic;	/* stops during suspend */
	uint64_t boottime;	/* runs during suspend */
	int64_t realtime;	/* the wall clock, may jump */
};
void wakeup_read_clocks(struct wakeup_clocks *);
/* What happened between two readings: CLOCK_MONOTONIC stands still while
 * suspended and CLOCK_BOOTTIME does not, so their difference is the time
 * slept, with or without logind. */
enum wakeup_reason wakeup_compare(const struct wakeup_clocks *before,
    const struct wakeup_clocks *after, uint64_t jump_ms);

/* Arms a CLOCK_REALTIME timerfd a year ahead with TFD_TIMER_CANCEL_ON_SET:
 * it becomes readable when the wall clock is set or the machine resumes. */
int wakeup_jump_arm(int fd);

#endif
