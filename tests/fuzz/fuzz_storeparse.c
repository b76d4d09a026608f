/* SPDX-License-Identifier: ISC */
/* A state file damaged on disk, or written by something else, is refused
 * whole or taken apart into members of the shapes the store writes. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "state/storeparse.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct storeparse d;
	char why[256];

	if (storeparse_doc((const char *)data, size, why, sizeof(why),
	    &d) != NULL)
		return 0;
	/* What the store relies on without checking again. */
	if (d.states != NULL &&
	    !json_object_is_type(d.states, json_type_object))
		fatalx("states is not an object");
	if (d.pending != NULL &&
	    !json_object_is_type(d.pending, json_type_object))
		fatalx("pending is not an object");
	if (d.notify != NULL &&
	    !json_object_is_type(d.notify, json_type_array))
		fatalx("notify is not an array");
	storeparse_clear(&d);
	return 0;
}
