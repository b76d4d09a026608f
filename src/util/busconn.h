/* SPDX-License-Identifier: ISC */
/* One sd-bus connection driven by the libevent loop (its fd and timeout,
 * no thread), opened again with a backoff whenever the bus goes away. */
#ifndef JP_BUSCONN_H
#define JP_BUSCONN_H

#include <systemd/sd-bus.h>

struct busconn;
struct event_base;

enum busconn_kind {
	BUSCONN_SESSION,
	BUSCONN_SYSTEM,
};

/* A new connection is up: register objects, request names.  Runs from the
 * loop, never inside sd_bus_process(). */
typedef void (*busconn_fn)(sd_bus *, void *arg);

/* what names the user of the bus in messages ("D-Bus service"). */
struct busconn *busconn_new(struct event_base *, enum busconn_kind,
    const char *what, busconn_fn on_connect, void *arg);
void busconn_free(struct busconn *);
/* NULL while not connected. */
sd_bus *busconn_bus(const struct busconn *);
/* Messages were queued: have the loop write them out. */
void busconn_kick(struct busconn *);
const char *busconn_kind_name(enum busconn_kind);

#endif
