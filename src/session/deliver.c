/* SPDX-License-Identifier: ISC */
/*
 * What an account's open channel brings: StateChanges, the state
 * comparisons after connecting and every resync_interval, and the Session
 * refresh a change for an unknown accountId asks for.  Changes reach the
 * outputs through the account's change callback after their states are
 * recorded in its store, and the mail view's driver (mailsync.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "session/account-int.h"
#include "session/discovery.h"
#include "session/frame.h"
#include "session/mailsync.h"
#include "session/request.h"
#include "session/resync.h"
#include "session/session.h"
#include "state/store.h"
#include "transport/net.h"
#include "transport/ws.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define DELIVER_RESYNC_TIMEOUT_MS	30000

/* A change's log line owed while the outputs have it (log_owe). */
struct deliver_logged {
	struct account *a;
	const char *account_id;
	struct json_object *types;
	const char *push_state, *reason;
};

static void
deliver_log_change(struct account *a, const char *account_id,
    struct json_object *types, const char *push_state, const char *reason)
{
	char list[512];
	size_t off = 0;
	const char *name = a->have_session ?
	    session_account_name(&a->session, account_id) : NULL;

	list[0] = '\0';
	json_object_object_foreach(types, type, state) {
		int n = snprintf(list + off, sizeof(list) - off, "%s%s=%s",
		    off ? " " : "", type, json_object_get_string(state));

		if (n < 0 || (size_t)n >= sizeof(list) - off)
			break;
		off += (size_t)n;
	}
	log_info("%s: %s in %s%s%s%s: %s%s%s", a->prefix,
	    strcmp(reason, "push") == 0 ? "change" : "change found by resync",
	    account_id, name ? " (" : "", name ? name : "", name ? ")" : "",
	    list, push_state ? ", pushState " : "",
	    push_state ? push_state : "");
}

static void
deliver_log_owed(void *arg)
{
	struct deliver_logged *l = arg;

	deliver_log_change(l->a, l->account_id, l->types, l->push_state,
	    l->reason);
}

/* Hands each accountId's changes to the outputs, then saves soon after:
 * the saved resume point never runs ahead of what was delivered, so a crash
 * may replay a change (we resume from an older pushState) but never loses
 * one, and a push does not wait for the disk. */
static void
deliver_changes(struct account *a, struct json_object *changed,
    const char *push_state, const char *reason)
{
	struct push_event ev;
	struct deliver_logged logged;

	a->last_push = time(NULL);
	json_object_object_foreach(changed, id, types) {
		if (a->have_session &&
		    session_account_name(&a->session, id) == NULL) {
			log_info("%s: a change for account %s, which the "
			    "Session does not list; fetching it again",
			    a->prefix, id);
			if (account_running(a))
				discovery_refresh(a->refresh);
		}
		/* The change's line is owed while the outputs have it: its
		 * formatting and write(2) would delay every subscriber (bench
		 * figure 1), and a line an output logs still comes after it. */
		logged = (struct deliver_logged){ a, id, types, push_state,
		    reason };
		log_owe(deliver_log_owed, &logged);
		if (a->cbs.change != NULL) {
			memset(&ev, 0, sizeof(ev));
			ev.account = a->cfg->name;
			ev.account_id = id;
			ev.changed = types;
			ev.push_state = push_state;
			ev.reason = reason;
			a->cbs.change(a, &ev, a->arg);
		}
		log_owed();
		mailsync_changed(a->mail, id, types, reason);
	}
	store_save_later(a->store, net_base(a->net));
}

/* resume: the EventSource event id (NULL over WebSocket, where the frame's
 * pushState is the resume token). */
static void
deliver_state_change(struct account *a, const struct frame *f,
    const char *resume)
{
	struct json_object *changed;
	/* Over EventSource JMAP_PUSH_STATE is the event id, or a pushState
	 * in the data (jmap-pushd.conf(5), HOOKS). */
	const char *push_state = resume != NULL ? resume : f->push_state;

	if (a->kind == CHANNEL_WEBSOCKET && f->push_state != NULL)
		store_set_push_state(a->store, f->push_state);
	if (a->resync_pushed != NULL)
		resync_note_pushed(a->resync_pushed, f->changed);
	/* After a replay overlaps what a resync already delivered (or the
	 * server repeats itself), only types whose state moved count. */
	changed = resync_diff(a->store, f->changed, RESYNC_PUSH);
	if (changed == NULL) {
		log_debug("%s: a StateChange repeating known states%s%s; "
		    "nothing to deliver", a->prefix, push_state ?
		    ", pushState " : "", push_state ? push_state : "");
		store_save_later(a->store, net_base(a->net));
		return;
	}
	deliver_changes(a, changed, push_state, "push");
	json_object_put(changed);
}

static void
deliver_resync_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct account *a = arg;
	struct json_object *current, *changed, *pushed;
	enum resync_mode mode = RESYNC_COMPARE;

	size_t stale;

	pushed = a->resync_pushed;
	a->resync_pushed = NULL;
	a->resync_busy = false;
	if (why != REQUEST_OK) {
		json_object_put(pushed);
		/* The next connection compares again. */
		if (why == REQUEST_CLOSED || why == REQUEST_SHUTDOWN)
			return;
		if (a->resync_periodic)
			log_warnx("%s: cannot compare states "
			    "(resync_interval): %s; trying again in the next "
			    "interval", a->prefix, error);
		else
			log_warnx("%s: cannot compare states after connecting: "
			    "%s; changes made while disconnected may be "
			    "missed until the next push", a->prefix, error);
		return;
	}
	if (a->cfg->tuning.sync_on_start && !a->synced_once)
		mode = RESYNC_ALL;
	a->synced_once = true;
	current = resync_states(responses);
	stale = resync_drop_pushed(current, pushed);
	json_object_put(pushed);
	if (stale > 0)
		log_debug("%s: the state comparison predates %zu pushed "
		    "state(s); those stand", a->prefix, stale);
	changed = resync_diff(a->store, current, mode);
	json_object_put(current);
	if (changed == NULL) {
		log_debug("%s: states unchanged since last seen", a->prefix);
		store_save_later(a->store, net_base(a->net));
		return;
	}
	deliver_changes(a, changed, NULL, "resync");
	json_object_put(changed);
}

/* Servers that cannot replay from a pushState (Stalwart, or any after
 * losing its history) would leave changes made while we were away
 * unnoticed: ask every current state and compare. */
void
deliver_resync(struct account *a, bool periodic)
{
	struct json_object *using, *calls;
	char **types;
	size_t ntypes;

	types = account_types(a, &ntypes);
	if ((calls = resync_request(&a->session, types, ntypes, &using)) ==
	    NULL)
		return;
	if (account_request(a, using, calls, DELIVER_RESYNC_TIMEOUT_MS,
	    deliver_resync_done, a) == -1) {
		log_warnx("%s: cannot send the state comparison request",
		    a->prefix);
	} else {
		a->resync_busy = true;
		a->resync_periodic = periodic;
		a->resync_pushed = json_object_new_object();
	}
	json_object_put(using);
	json_object_put(calls);
}

/*
 * A push channel can go quiet while pings still flow (a server whose push
 * broke, Cyrus with a long jmap_pushpoll): compare states every
 * resync_interval as after a reconnect.  The timer lands on the ticks the
 * pings use (ws_ping_delay, same clock), so that it wakes the daemon when
 * the pings do.
 */
void
deliver_resync_arm(struct account *a)
{
	uint64_t interval = a->cfg->tuning.resync_interval_ms, now_ms, ms;
	struct timeval now, tv;

	if (interval == 0)
		return;
	event_base_gettimeofday_cached(net_base(a->net), &now);
	now_ms = timeutil_tv_to_ms(&now);
	ms = ws_ping_delay(now_ms, interval);
	tv = timeutil_tv_ms(ms);
	evtimer_add(a->resync_timer, &tv);
}

void
deliver_resync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct account *a = arg;

	/* Not over a connection that is being closed either. */
	if (a->state != ACCOUNT_S_CONNECTED)
		return;
	/* A comparison still waiting for its answer is as good. */
	if (!a->resync_busy) {
		log_debug("%s: comparing states (resync_interval)", a->prefix);
		deliver_resync(a, true);
	}
	deliver_resync_arm(a);
}

/* A refresh brought the Session up to date. */
void
deliver_fresh(struct jmap_session *fresh, void *arg)
{
	struct account *a = arg;

	session_clear(&a->session);
	a->session = *fresh;
	log_info("%s: Session refreshed: %zu account(s)", a->prefix,
	    a->session.naccounts);
}

/*
 * RFC 8620 section 3.4: a Response's sessionState differs from the
 * Session's state once the Session changed (its URLs, accounts or
 * capabilities).  The Session is kept across reconnects (attempt.c), so
 * this is how a changed one is noticed: fetch it again in the background.
 * Once per value, so that a server whose two never agree is not asked
 * again on every Response.
 */
void
deliver_ch_session(struct channel *ch, const char *session_state, void *arg)
{
	struct account *a = arg;

	if (!a->have_session || a->session.state == NULL ||
	    strcmp(session_state, a->session.state) == 0)
		return;
	if (a->session_asked != NULL &&
	    strcmp(session_state, a->session_asked) == 0)
		return;
	free(a->session_asked);
	a->session_asked = xstrdup(session_state);
	log_info("%s: the server's Session changed (sessionState %.64s, "
	    "was %.64s); fetching it again", a->prefix, session_state,
	    a->session.state);
	if (account_running(a))
		discovery_refresh(a->refresh);
}

void
deliver_ch_state(struct channel *ch, const struct frame *f, const char *resume,
    void *arg)
{
	deliver_state_change(arg, f, resume);
}

/* The event stream's last event ID string, kept as the spec keeps it (an
 * empty one clears it), and saved with the changes it came with. */
void
deliver_ch_resume(struct channel *ch, const char *resume, void *arg)
{
	struct account *a = arg;

	store_set_event_id(a->store, resume);
	store_save_later(a->store, net_base(a->net));
}
