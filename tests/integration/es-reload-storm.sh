#!/bin/bash
# SPDX-License-Identifier: ISC
# reload-storm.sh over EventSource: an event stream dropped while it opens
# stays dropped too.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/reload-storm.sh"
