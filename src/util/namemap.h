/* SPDX-License-Identifier: ISC */
/*
 * Names to pointers in a hash table (json-c's linkhash), so that finding
 * one of 10,000 accounts by name costs no walk.  Names and values are
 * borrowed: each must outlive its entry.
 */
#ifndef JP_NAMEMAP_H
#define JP_NAMEMAP_H

struct namemap;

struct namemap	*namemap_new(void);
/* NULL is allowed. */
void		 namemap_free(struct namemap *);
/* Adds name, or points it at value when it is there already. */
void		 namemap_put(struct namemap *, const char *name, void *value);
/* NULL when name is not there. */
void		*namemap_get(const struct namemap *, const char *name);
/* Nothing when name is not there. */
void		 namemap_del(struct namemap *, const char *name);

#endif
