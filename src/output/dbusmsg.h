/* SPDX-License-Identifier: ISC */
/* The D-Bus service's signals, built but not sent: StateChanged from a
 * change, ConnectionChanged from an account's status.  sd-bus needs a bus
 * to make a message; nothing is read or written on it here. */
#ifndef JP_DBUSMSG_H
#define JP_DBUSMSG_H

#include <systemd/sd-bus.h>

struct push_event;

/* 0 and the new message in *m (the caller unrefs it), or a negative errno
 * and *m NULL: sd-bus refuses a string of ev that is not UTF-8.  The
 * changed types whose state is not a string are left out; a missing
 * pushState is "". */
int dbusmsg_state(sd_bus *, const struct push_event *ev, sd_bus_message **m);
/* As dbusmsg_state.  error NULL is ""; one that is not UTF-8 (it may quote
 * what a TLS library read from a certificate) is repaired, not refused. */
int dbusmsg_connection(sd_bus *, const char *account, const char *status,
    const char *error, sd_bus_message **m);

#endif
