/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>

#include "output/dbus.h"
#include "output/hook.h"
#include "output/notify.h"
#include "output/outputs.h"
#include "output/socket.h"
#include "util/xmalloc.h"

struct outputs {
	struct event_base *base;
	const struct outputs_callbacks *cb;
	struct hooks *hooks;
	struct sock *sock;
	struct dbus *dbus;
	struct notify *notify;
};

/* Hooks keep their owed runs in the account's store, found by name. */
static struct store *
outputs_store_of(const char *account, void *arg)
{
	struct outputs *o = arg;

	return o->cb->account_store(o->cb->arg, account);
}

struct outputs *
outputs_new(struct event_base *base, struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct outputs *o = xcalloc(1, sizeof(*o));

	o->base = base;
	o->cb = cb;
	if ((o->sock = sock_new(base, cfg, cb)) == NULL) {
		free(o);
		return NULL;
	}
	o->hooks = hook_new(base, cfg, outputs_store_of, o);
	o->dbus = dbus_new(base, cfg, cb);
	o->notify = notify_new(base, cfg, cb);
	hook_start(o->hooks, cfg);
	return o;
}

void
outputs_set_config(struct outputs *o, struct config *cfg)
{
	hook_set_config(o->hooks, cfg);
	sock_set_config(o->sock, cfg);
	dbus_set_config(o->dbus, cfg);
	notify_set_config(o->notify, cfg);
}

void
outputs_free(struct outputs *o)
{
	if (o == NULL)
		return;
	hook_free(o->hooks);
	sock_free(o->sock);
	dbus_free(o->dbus);
	notify_free(o->notify);
	free(o);
}

void
outputs_attach(struct outputs *o, const char *account)
{
	hook_attach(o->hooks, account);
}

void
outputs_stop(struct outputs *o)
{
	hook_stop(o->hooks);
}

void
outputs_state(struct outputs *o, const struct push_event *ev)
{
	hook_dispatch(o->hooks, ev);
	sock_state(o->sock, ev);
	dbus_state(o->dbus, ev);
}

void
outputs_connection(struct outputs *o, struct account *acct)
{
	sock_connection(o->sock, acct);
	dbus_connection(o->dbus, acct);
}

void
outputs_mail(struct outputs *o, const struct mail_event *ev)
{
	hook_mail(o->hooks, ev);
	sock_mail(o->sock, ev);
	dbus_mail(o->dbus, ev);
	notify_mail(o->notify, ev);
}

bool
outputs_mail_wanted(const struct outputs *o, const char *account)
{
	return hook_mail_wanted(o->hooks, account) ||
	    sock_mail_wanted(o->sock, account) ||
	    dbus_mail_wanted(o->dbus) ||
	    notify_mail_wanted(o->notify, account);
}
