#!/bin/bash
# SPDX-License-Identifier: ISC
# hostile-server.sh over EventSource: hostile state events are as harmless.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/hostile-server.sh"
