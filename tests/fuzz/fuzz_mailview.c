/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "session/mailview.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A view with a cache, so that the normal round (Mailbox/changes and
 * Email/changes) is what the answer is read as. */
static const char fuzz_cache[] =
	"{\"version\":1,\"mailboxState\":\"m1\",\"emailState\":\"e1\","
	"\"mailboxes\":[{\"id\":\"I\",\"name\":\"Inbox\",\"role\":\"inbox\","
	"\"totalEmails\":10,\"unreadEmails\":2},{\"id\":\"W\",\"name\":"
	"\"Work\",\"totalEmails\":3,\"unreadEmails\":1},{\"id\":\"P\","
	"\"name\":\"Projects\",\"parentId\":\"W\",\"totalEmails\":4,"
	"\"unreadEmails\":0},{\"id\":\"T\",\"name\":\"Trash\",\"role\":"
	"\"trash\",\"totalEmails\":0,\"unreadEmails\":0}]}";

/* Everything an output does with a result: filter, merge, env, stdin. */
static void
fuzz_outputs(struct mailview *v, const struct mailresult *r,
    const struct mailmatch *mm)
{
	struct mailresult	 f, m = { 0 };
	struct json_object	*j;
	char			**env;

	mailresult_filter(r, mailview_cache(v), mm, MAILMATCH_ALL_EVENTS, NULL,
	    &f);
	env = mailresult_env(&f);
	strv_free(env);
	j = mailresult_json(&f, "u1", 4096);
	json_object_put(j);
	mailresult_merge(&m, &f);
	mailresult_merge(&m, &f);
	mailresult_clear(&m);
	mailresult_clear(&f);
	if (r->nboxes > 0) {
		mailresult_filter(r, mailview_cache(v), NULL, MAILMATCH_NEW,
		    r->boxes[0].id, &f);
		mailresult_clear(&f);
	}
}

/* One round of v over the answer, twice (the second time the view knows
 * the emails of the first), then a save and a restore. */
static void
fuzz_view(struct mailview *v, struct json_object *resp,
    const struct mailmatch *mm)
{
	struct json_object	*using, *calls, *saved;
	struct mailresult	 r;
	char			 err[160];
	bool			 more;

	for (int i = 0; i < 2; i++) {
		mailview_request(v, "u1", &using, &calls);
		json_object_put(using);
		json_object_put(calls);
		if (mailview_parse(v, resp, &r, &more, err, sizeof(err)) ==
		    MAILVIEW_OK)
			fuzz_outputs(v, &r, mm);
		mailresult_clear(&r);
	}
	saved = mailview_save(v);
	mailview_restore(v, saved);
	json_object_put(saved);
}

/* A server's methodResponses through the mail view: read as the answer to
 * a normal round and to a first round (nothing cached). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener	*tok;
	struct json_object	*resp, *saved;
	struct mailview		*v;
	struct mailmatch	*mm;
	enum mailmatch_error	 e;
	char			 err[160];

	if (size > INT_MAX)
		return 0;
	if ((tok = json_tokener_new_ex(32)) == NULL)
		abort();
	resp = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (mailmatch_parse("inbox, Work/*", &mm, &e, err, sizeof(err)) != 0)
		abort();

	v = mailview_new();
	saved = json_tokener_parse(fuzz_cache);
	if (mailview_restore(v, saved) != 0)
		abort();
	json_object_put(saved);
	fuzz_view(v, resp, mm);
	mailview_free(v);

	v = mailview_new();
	fuzz_view(v, resp, mm);
	mailview_free(v);

	mailmatch_free(mm);
	json_object_put(resp);
	return 0;
}
