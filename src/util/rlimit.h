/* SPDX-License-Identifier: ISC */
/* The daemon's open files limit. */
#ifndef JP_RLIMIT_H
#define JP_RLIMIT_H

/* Raises the soft RLIMIT_NOFILE to the hard limit; logs what it did (at
 * debug level) or why it could not (a warning). */
void rlimit_raise_nofile(void);

#endif
