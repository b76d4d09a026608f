/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include "session/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int untyped = 0; untyped <= 1; untyped++) {
		struct frame f;
		char err[256];

		if (frame_parse((const char *)data, size, untyped, &f, err,
		    sizeof(err)) == 0)
			frame_clear(&f);
	}
	return 0;
}
