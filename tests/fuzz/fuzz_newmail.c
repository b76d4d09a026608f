/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/newmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A server's methodResponses through the parser, then every new mail
 * through the notes and the text cleaning. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char			*boxes[] = { "inbox", "Lists" };
	struct config_notify		 cfg = {
		.enabled = true, .mailboxes = boxes, .nmailboxes = 2,
		.max_per_burst = 2,
	};
	struct newmail_mailboxes	 mbx = { 0 };
	struct newmail_result		 res;
	struct newmail_note		*notes;
	struct json_tokener		*tok = json_tokener_new();
	struct json_object		*r;
	size_t				 n;
	char				*s;

	r = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	newmail_parse(r, &cfg, &mbx, &res);
	n = newmail_notes(res.mails, res.nmails, cfg.max_per_burst, &notes);
	newmail_notes_free(notes, n);
	n = newmail_notes(res.mails, res.nmails, 10, &notes);
	newmail_notes_free(notes, n);
	newmail_result_clear(&res);
	newmail_mailboxes_clear(&mbx);
	json_object_put(r);
	if ((s = malloc(size + 1)) != NULL) {
		char *t;

		memcpy(s, data, size);
		s[size] = '\0';
		free(newmail_text(s, 64, true));
		t = newmail_text(s, size + 8, false);
		free(t);
		free(s);
	}
	return 0;
}
