/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "output/dbus.h"
#include "output/hook.h"
#include "output/mqtt.h"
#include "output/notify.h"
#include "output/outputs.h"
#include "output/socket.h"
#include "output/webhook.h"
#include "util/log.h"
#include "util/memtrim.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* The heap of a burst of changes is given back once changes stopped for
 * 2 s, after a burst of at least 1,024 (util/memtrim.h). */
#define OUTPUTS_TRIM_QUIET_MS	2000
#define OUTPUTS_TRIM_EVENTS	1024

struct outputs {
	struct event_base *base;
	const struct outputs_callbacks *cb;
	struct hooks *hooks;
	struct sock *sock;
	struct dbus *dbus;
	struct notify *notify;
	struct webhooks *webhooks;
	struct mqtt *mqtt;
	bool muted;
	time_t mute_until;	/* 0: until unmuted */
	struct event *mute_timer;	/* ends a mute with a duration */
	struct memtrim *trim;
};

/* Hooks keep their owed runs in the account's store, found by name. */
static struct store *
outputs_store_of(const char *account, void *arg)
{
	struct outputs *o = arg;

	return o->cb->account_store(o->cb->arg, account);
}

/* Every output that shows the mute learns it changed. */
static void
outputs_mute_set(struct outputs *o, bool muted, time_t until)
{
	bool changed = o->muted != muted ||
	    o->mute_until != (muted ? until : 0);

	o->muted = muted;
	o->mute_until = muted ? until : 0;
	notify_set_muted(o->notify, muted);
	sock_muted(o->sock, muted, o->mute_until);
	if (changed)
		dbus_muted_changed(o->dbus);
}

/* A mute with a duration ran out. */
static void
outputs_mute_end(evutil_socket_t fd, short what, void *arg)
{
	struct outputs *o = arg;

	log_info("notifications: mute ended");
	outputs_mute_set(o, false, 0);
}

struct outputs *
outputs_new(struct event_base *base, struct net *net, struct config *cfg,
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
	o->webhooks = webhook_new(base, net, cfg);
	o->mqtt = mqtt_new(base, cfg, cb);
	o->mute_timer = xevtimer_new(base, outputs_mute_end, o);
	o->trim = memtrim_new(base, OUTPUTS_TRIM_QUIET_MS, OUTPUTS_TRIM_EVENTS);
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
	webhook_set_config(o->webhooks, cfg);
	mqtt_set_config(o->mqtt, cfg);
}

void
outputs_free(struct outputs *o)
{
	if (o == NULL)
		return;
	if (o->mute_timer != NULL)
		event_free(o->mute_timer);
	hook_free(o->hooks);
	sock_free(o->sock);
	dbus_free(o->dbus);
	notify_free(o->notify);
	webhook_free(o->webhooks);
	mqtt_free(o->mqtt);
	memtrim_free(o->trim);
	free(o);
}

void
outputs_attach(struct outputs *o, const char *account)
{
	hook_attach(o->hooks, account);
	notify_attach(o->notify, account);
}

void
outputs_stop(struct outputs *o)
{
	hook_stop(o->hooks);
	webhook_stop(o->webhooks);
	mqtt_stop(o->mqtt);
}

void
outputs_state(struct outputs *o, const struct push_event *ev)
{
	hook_dispatch(o->hooks, ev);
	sock_state(o->sock, ev);
	dbus_state(o->dbus, ev);
	webhook_state(o->webhooks, ev);
	mqtt_state(o->mqtt, ev);
	memtrim_note(o->trim);
}

void
outputs_connection(struct outputs *o, struct account *acct)
{
	sock_connection(o->sock, acct);
	dbus_connection(o->dbus, acct);
	webhook_connection(o->webhooks, acct);
	mqtt_connection(o->mqtt, acct);
}

void
outputs_mail(struct outputs *o, const struct mail_event *ev)
{
	hook_mail(o->hooks, ev);
	sock_mail(o->sock, ev);
	dbus_mail(o->dbus, ev);
	notify_mail(o->notify, ev);
	webhook_mail(o->webhooks, ev);
	mqtt_mail(o->mqtt, ev);
}

bool
outputs_mail_wanted(const struct outputs *o, const char *account)
{
	return hook_mail_wanted(o->hooks, account) ||
	    sock_mail_wanted(o->sock, account) ||
	    dbus_mail_wanted(o->dbus) ||
	    notify_mail_wanted(o->notify, account) ||
	    webhook_mail_wanted(o->webhooks, account) ||
	    mqtt_mail_wanted(o->mqtt, account);
}

void
outputs_mute(struct outputs *o, uint64_t seconds)
{
	struct timeval tv;

	event_del(o->mute_timer);
	/* A duration beyond what time_t holds is as good as forever. */
	if (seconds == 0 || seconds > (uint64_t)INT32_MAX) {
		log_info("notifications: muted until unmuted");
		outputs_mute_set(o, true, 0);
		return;
	}
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = 0;
	event_add(o->mute_timer, &tv);
	log_info("notifications: muted for %llu s",
	    (unsigned long long)seconds);
	outputs_mute_set(o, true, time(NULL) + (time_t)seconds);
}

void
outputs_unmute(struct outputs *o)
{
	event_del(o->mute_timer);
	if (o->muted)
		log_info("notifications: unmuted");
	outputs_mute_set(o, false, 0);
}

bool
outputs_muted(const struct outputs *o, time_t *until)
{
	if (until != NULL)
		*until = o->mute_until;
	return o->muted;
}

struct json_object *
outputs_remote_status(const struct outputs *o)
{
	struct json_object *r, *wh, *mq;

	wh = webhook_status(o->webhooks);
	mq = mqtt_status(o->mqtt);
	if (wh == NULL && mq == NULL)
		return NULL;
	r = json_object_new_object();
	if (wh != NULL)
		json_object_object_add(r, "webhooks", wh);
	if (mq != NULL)
		json_object_object_add(r, "mqtt", mq);
	return r;
}

int
outputs_test_notify(struct outputs *o, const char *account, const char **why)
{
	return notify_test(o->notify, account, why);
}
