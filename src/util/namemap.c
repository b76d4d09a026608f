/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>

#include <json-c/linkhash.h>

#include "util/log.h"
#include "util/namemap.h"
#include "util/xmalloc.h"

/* Grows as needed (linkhash doubles it). */
#define NAMEMAP_INITIAL	64

struct namemap {
	struct lh_table *t;
};

struct namemap *
namemap_new(void)
{
	struct namemap *m = xmalloc(sizeof(*m));

	if ((m->t = lh_kchar_table_new(NAMEMAP_INITIAL, NULL)) == NULL)
		fatalx("out of memory");
	return m;
}

void
namemap_free(struct namemap *m)
{
	if (m == NULL)
		return;
	lh_table_free(m->t);
	free(m);
}

/* Deleted first: linkhash would keep the old key, which may be freed
 * before the new one. */
void
namemap_put(struct namemap *m, const char *name, void *value)
{
	lh_table_delete(m->t, name);
	if (lh_table_insert(m->t, name, value) != 0)
		fatalx("out of memory");
}

void *
namemap_get(const struct namemap *m, const char *name)
{
	void *v;

	if (!lh_table_lookup_ex(m->t, name, &v))
		return NULL;
	return v;
}

void
namemap_del(struct namemap *m, const char *name)
{
	lh_table_delete(m->t, name);
}
