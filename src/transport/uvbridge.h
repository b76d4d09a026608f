/* SPDX-License-Identifier: ISC */
/* Runs a libuv loop inside a libevent loop.
 *
 * Debian's libwebsockets has no libevent support, so lws runs on libuv and
 * this bridge lets libevent drive that loop: one persistent read event on
 * uv_backend_fd() and one timer armed from uv_backend_timeout().  Anything
 * that hands libuv new work from a libevent callback must call
 * uvbridge_kick() afterwards, or that work waits for the next unrelated
 * wakeup. */
#ifndef JP_UVBRIDGE_H
#define JP_UVBRIDGE_H

#include <stdbool.h>

struct event_base;
struct uvbridge;
typedef struct uv_loop_s uv_loop_t;

struct uvbridge *uvbridge_new(struct event_base *base);
uv_loop_t *uvbridge_loop(struct uvbridge *);
/* Runs libuv now and re-arms the timer; safe to call from any libevent
 * callback, never from inside a libuv callback. */
void uvbridge_pump(struct uvbridge *);
/* Pump from the next libevent iteration: safe from inside libuv callbacks. */
void uvbridge_kick(struct uvbridge *);
bool uvbridge_alive(struct uvbridge *);
/* Leaves uv_backend_fd() unwatched until uvbridge_release(), which
 * watches it again and pumps: what arrives meanwhile is read in that one
 * pump (or by an earlier one: libuv timers and kicks still pump).  Inside
 * a libuv callback, uvbridge_release() only watches again: the pump under
 * way goes on reading. */
void uvbridge_hold(struct uvbridge *);
void uvbridge_release(struct uvbridge *);
/* How often libuv ran: a busy idle loop shows here first. */
unsigned long uvbridge_pumps(const struct uvbridge *);
/* Closes the loop; the caller must have let every handle close first. */
void uvbridge_free(struct uvbridge *);

#endif
