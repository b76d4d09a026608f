/* SPDX-License-Identifier: ISC */
/* What check_mailview and check_mailtally share: a view restored from a
 * known cache, one round's answer built and parsed, and a result shown as
 * text. */
#ifndef JP_TESTS_MAILTEST_H
#define JP_TESTS_MAILTEST_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "session/mailview.h"

#define DELIVERY "[{\"id\":\"m1\",\"mailboxIds\":{\"I\":true}," \
	"\"keywords\":{},\"from\":[{\"name\":\"Alice\",\"email\":\"a@x\"}]," \
	"\"subject\":\"Hi\",\"receivedAt\":\"2026-12-03T10:00:00Z\"," \
	"\"messageId\":[\"m1@x\",\"other@x\"],\"threadId\":\"t1\"," \
	"\"preview\":\"hello\"}]"
#define INBOX_PLUS "[{\"id\":\"I\",\"totalEmails\":11,\"unreadEmails\":3}]"

/* o as plain JSON text (owned by o). */
const char		*plain(struct json_object *o);
/* A view restored from the cache of Inbox 10/2, Drafts, Sent, Archive,
 * Trash, Work and Work/Projects. */
struct mailview		*view(void);
/* Sends a request (to set what the answer must hold), then parses text. */
enum mailview_status	 answer(struct mailview *v, const char *text,
			    struct mailresult *r, bool *more, char *err,
			    size_t errlen);
/* A normal round's answer (see mailtest.c); the caller frees. */
char			*round_text(const char *mgu, const char *ec,
			    const char *egc, const char *egu);
/* Parses round_text()'s answer, which must be complete and OK. */
enum mailview_status	 round_ok(struct mailview *v, const char *mgu,
			    const char *ec, const char *egc, const char *egu,
			    struct mailresult *r);
/* text (taken) with the first from replaced by to; the caller frees. */
char			*subst(char *text, const char *from, const char *to);
/* The events of box id in r, as text; "-" when r does not list it. */
const char		*events_of(const struct mailresult *r, const char *id);
/* r filtered by spec/events into out. */
void			 filter(const struct mailresult *r,
			    const struct mailview *v, const char *spec,
			    unsigned events, const char *only,
			    struct mailresult *out);
/* The hook variables of out, joined with '|' for one exact assertion. */
char			*env_text(const struct mailresult *out);

#endif
