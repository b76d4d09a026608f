/* SPDX-License-Identifier: ISC */
/* What the config test programs (check_config, check_keys, check_values,
 * check_configobj, check_keysout, check_keysremote) share: loading a config
 * from text and checking its exact errors. */
#ifndef JP_TESTS_CONFIGTEST_H
#define JP_TESTS_CONFIGTEST_H

#include "config/config.h"

#define ACCOUNT "[account a]\nurl = jmap.example.com\n"

/* The errors of the last load(). */
extern struct config_errors errs;

struct config	*load(const char *text);
/* A config that loaded without an error. */
struct config	*load_ok(const char *text);
/* Exactly these errors, in this order, and no config. */
void		 expect_errors(const char *text, const char *const *want);
void		 expect_error(const char *text, const char *want);
/* The checked fixture's teardown. */
void		 configtest_teardown(void);

#endif
