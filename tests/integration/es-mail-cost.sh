#!/bin/bash
# SPDX-License-Identifier: ISC
# mail-cost.sh over EventSource, where the mail view's requests are POSTed
# to apiUrl.
JP_TRANSPORT=eventsource exec bash "${top_srcdir:?}/tests/integration/mail-cost.sh"
