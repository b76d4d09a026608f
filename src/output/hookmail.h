/* SPDX-License-Identifier: ISC */
/*
 * A hook's owed mail data in the state store: a filtered (or merged)
 * struct mailresult as JSON and back, so that a run owed for a mail event
 * survives a crash or a stop with its data (issue 12's durable runs).
 * No I/O.
 */
#ifndef JP_HOOKMAIL_H
#define JP_HOOKMAIL_H

struct json_object;
struct mailresult;

/* {"boxes":[{"id","path","role","unread","total","events","nnew",
 * "unfetched"}],"news":[{"id","mailbox","from":[{"name","email"}],
 * "subject","receivedAt","messageId","threadId","preview"}],"newCount",
 * "unread","wanted"}; the caller owns it. */
struct json_object *hookmail_save(const struct mailresult *);
/* Fills out (overwritten) from what hookmail_save() wrote (o borrowed);
 * -1 and an empty out when o is not that. */
int hookmail_restore(struct json_object *o, struct mailresult *out);

#endif
