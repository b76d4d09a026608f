/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "util/secret.h"
#include "util/xmalloc.h"

struct secret {
	unsigned int refs;
	size_t len;
	char value[];		/* NUL-terminated */
};

struct secret *
secret_new(const char *value)
{
	struct secret *s;
	size_t len;

	if (value == NULL)
		return NULL;
	len = strlen(value);
	s = xmalloc(sizeof(*s) + len + 1);
	s->refs = 1;
	s->len = len;
	memcpy(s->value, value, len + 1);
	return s;
}

struct secret *
secret_ref(struct secret *s)
{
	if (s != NULL)
		s->refs++;
	return s;
}

void
secret_unref(struct secret *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	explicit_bzero(s->value, s->len);
	free(s);
}

const char *
secret_value(const struct secret *s)
{
	return s != NULL ? s->value : NULL;
}
