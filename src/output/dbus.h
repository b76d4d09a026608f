/* SPDX-License-Identifier: ISC */
/* The D-Bus service org.jmappushd.Pushd1: StateChanged,
 * ConnectionChanged, MailboxesChanged and NewMail signals, GetStatus/
 * Reconnect/Reload/GetMailboxes methods and the Accounts and Unread
 * properties, on the session or the system bus. */
#ifndef JP_DBUS_H
#define JP_DBUS_H

#include <stdbool.h>

#include "config/config.h"

#define DBUS_NAME	"org.jmappushd.Pushd1"
#define DBUS_PATH	"/org/jmappushd/Pushd1"
#define DBUS_IFACE	"org.jmappushd.Pushd1"

struct account;
struct dbus;
struct event_base;
struct mail_event;
struct outputs_callbacks;
struct push_event;

/* Holds a reference to cfg; cb is borrowed and must outlive the object. */
struct dbus *dbus_new(struct event_base *, struct config *,
    const struct outputs_callbacks *);
/* After a reload: may move to another bus, or announce new Accounts.
 * Holds a reference to cfg instead of the old one. */
void dbus_set_config(struct dbus *, struct config *);
void dbus_free(struct dbus *);
/* The mute was set, changed or ended: PropertiesChanged for Muted and
 * MutedUntil. */
void dbus_muted_changed(struct dbus *);

void dbus_state(struct dbus *, const struct push_event *);
void dbus_connection(struct dbus *, struct account *);
/* A round of an account's mail view: MailboxesChanged and NewMail when
 * there is something to say, Unread when it changed, and the GetMailboxes
 * calls that waited for this first fetch are answered. */
void dbus_mail(struct dbus *, const struct mail_event *);
/* Whether a client called GetMailboxes or read Unread (from then on, for
 * as long as the daemon runs). */
bool dbus_mail_wanted(const struct dbus *);

/* What dbus = (unset) means here and now: the session bus when not root
 * and a session bus is advertised ($DBUS_SESSION_BUS_ADDRESS set, or
 * $XDG_RUNTIME_DIR/bus exists), else none. */
enum config_dbus dbus_resolve(enum config_dbus);

#endif
