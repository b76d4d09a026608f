/* SPDX-License-Identifier: ISC */
/* Feeds arbitrary bytes to the configuration parser. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors	 errs = { NULL, 0 };
	struct config		*cfg;
	char			*text;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = config_load_string(text, "fuzz.conf", &errs);
	config_free(cfg);
	config_errors_clear(&errs);
	free(text);
	return 0;
}
