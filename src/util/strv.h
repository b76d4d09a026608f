/* SPDX-License-Identifier: ISC */
/*
 * NULL-terminated string vectors (argv, envp), apart from util/proc.h so
 * that code which only builds or frees one (the configuration, and with it
 * jmap-pushctl) does not link the child process machinery and libevent.
 */
#ifndef JP_STRV_H
#define JP_STRV_H

#include <stddef.h>

/* A deep copy of v, itself NULL-terminated; an empty vector when v is
 * NULL.  The caller frees it with strv_free(). */
char	**strv_dup(char *const *v);
/* Frees every string of v, then v; NULL is a no-op. */
void	  strv_free(char **v);
/* The number of strings before the NULL; 0 when v is NULL. */
size_t	  strv_len(char *const *v);

#endif
