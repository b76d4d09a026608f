#!/bin/bash
# SPDX-License-Identifier: ISC
# push-hook.sh over EventSource: the same behaviour on a server without
# WebSocket push.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/push-hook.sh"
