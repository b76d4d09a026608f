#!/bin/bash
# SPDX-License-Identifier: ISC
# notify-restart.sh over EventSource: the mail view's rounds are POSTed to
# apiUrl, the restarts resume the event stream.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/notify-restart.sh"
