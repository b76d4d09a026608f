#!/bin/bash
# SPDX-License-Identifier: ISC
# mail-restart.sh over EventSource, where the resume (Last-Event-ID) and
# the mail view's catch-up both follow a start.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/mail-restart.sh"
