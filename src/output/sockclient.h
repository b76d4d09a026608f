/* SPDX-License-Identifier: ISC */
/* One client of the control socket: its connection, the lines it sends
 * (handed on one at a time) and the queue of what it is sent.  A client
 * that falls behind has its waiting state events merged (only the newest
 * state of each account, accountId and type matters); one whose queue
 * grows over queue_max anyway, or that reads nothing for stall_ms while
 * output waits, is told how many events it lost and disconnected. */
#ifndef JP_SOCKCLIENT_H
#define JP_SOCKCLIENT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct push_event;
struct sockclient;
struct sockproto_sub;

/* The owner's, read at every use: a reload may change them. */
struct sockclient_limits {
	size_t queue_max;	/* socket_queue: bytes waiting, merged */
	uint64_t stall_ms;	/* socket_stall */
};

/* A line the client sent, without its newline and NUL-terminated; NULL for
 * one over SOCKPROTO_MAX_LINE (len: as much of it as was read).  Empty
 * lines (a client's keep-alive) are not passed on. */
typedef void (*sockclient_line_fn)(struct sockclient *, const char *line,
    size_t len, void *arg);
/* The client stopped for good (why is logged): the owner frees it, later
 * than this call, which may come from inside the client's own callbacks. */
typedef void (*sockclient_dead_fn)(struct sockclient *, void *arg);

/* Takes fd, a connected stream socket; id names the client in the log.
 * limits is borrowed and must outlive the client.  Subscribed to
 * everything. */
struct sockclient *sockclient_new(struct event_base *, int fd, unsigned id,
    const struct sockclient_limits *limits, sockclient_line_fn,
    sockclient_dead_fn, void *arg);
/* Closes the connection at once; never calls the dead callback. */
void sockclient_free(struct sockclient *);

/* Queues line (a '\n'-terminated one, borrowed) within the bound.  ev: the
 * state event line is, to merge it with one waiting; NULL for any other
 * line.  Nothing once the client is closing. */
void sockclient_send(struct sockclient *, const char *line,
    const struct push_event *ev);
/* What the client subscribed to; the owner's fan-out reads it and the
 * subscribe command replaces it. */
struct sockproto_sub *sockclient_sub(struct sockclient *);

#endif
