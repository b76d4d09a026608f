/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/newmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Server strings (the mail view made them valid UTF-8, but this takes any
 * bytes) through the notes and the text cleaning: the summary stays plain
 * text, the body escaped, both within their bounds. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct newmail		 m[2];
	struct newmail_note	*notes;
	size_t			 n, half;
	char			*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	half = strlen(s) / 2;
	memset(m, 0, sizeof(m));
	m[0].from_name = s + half;
	m[0].subject = s;
	m[1].from_email = s + half;
	n = newmail_notes(m, 2, 2, 2, &notes);
	newmail_notes_free(notes, n);
	n = newmail_notes(m, 2, 3, 2, &notes);
	newmail_notes_free(notes, n);
	free(newmail_text(s, 64, true));
	free(newmail_text(s, size + 8, false));
	free(s);
	return 0;
}
