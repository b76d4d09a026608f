/* SPDX-License-Identifier: ISC */
/*
 * A credential (an Authorization header value) held in one allocation that
 * every holder shares by reference and that wipes itself (explicit_bzero)
 * when the last reference goes: the one place a credential lives in
 * memory, and the one place it is wiped.  Never log its value.
 */
#ifndef JP_SECRET_H
#define JP_SECRET_H

struct secret;

/* A copy of value, with one reference; NULL when value is NULL (no
 * credential).  value itself is the caller's to wipe. */
struct secret	*secret_new(const char *value);
/* Another reference to s; NULL stays NULL. */
struct secret	*secret_ref(struct secret *s);
/* Drops a reference; the last one wipes and frees.  NULL is a no-op. */
void		 secret_unref(struct secret *s);
/* The value, valid while a reference is held; NULL when s is NULL. */
const char	*secret_value(const struct secret *s);

#endif
