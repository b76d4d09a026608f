# SPDX-License-Identifier: ISC
# One check program per module.
UNIT_TESTS = \
	tests/unit/check_config \
	tests/unit/check_store \
	tests/unit/check_proc \
	tests/unit/check_hook \
	tests/unit/check_sockproto \
	tests/unit/check_sockauth \
	tests/unit/check_socket \
	tests/unit/check_dbus \
	tests/unit/check_url \
	tests/unit/check_session \
	tests/unit/check_frame \
	tests/unit/check_uvbridge \
	tests/unit/check_request \
	tests/unit/check_credentials \
	tests/unit/check_newmail \
	tests/unit/check_backoff \
	tests/unit/check_pacer \
	tests/unit/check_wakeup \
	tests/unit/check_sse \
	tests/unit/check_esource \
	tests/unit/check_utf8 \
	tests/unit/check_ws \
	tests/unit/check_netround \
	tests/unit/check_closepolicy \
	tests/unit/check_resync \
	tests/unit/check_account
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
UNIT_LDADD = src/libjmappushd.a $(DEP_LIBS) $(CHECK_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
# The config programs share configtest.c (loading text, exact errors).
UNIT_TESTS += tests/unit/check_keys tests/unit/check_values \
	tests/unit/check_configobj tests/unit/check_keysout \
	tests/unit/check_keysremote
CONFIGTEST_SOURCES = tests/unit/configtest.c tests/unit/configtest.h
tests_unit_check_config_SOURCES = tests/unit/check_config.c $(CONFIGTEST_SOURCES)
tests_unit_check_config_LDADD = $(UNIT_LDADD)
tests_unit_check_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_keys_SOURCES = tests/unit/check_keys.c $(CONFIGTEST_SOURCES)
tests_unit_check_keys_LDADD = $(UNIT_LDADD)
tests_unit_check_keys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_values_SOURCES = tests/unit/check_values.c $(CONFIGTEST_SOURCES)
tests_unit_check_values_LDADD = $(UNIT_LDADD)
tests_unit_check_values_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_configobj_SOURCES = tests/unit/check_configobj.c $(CONFIGTEST_SOURCES)
tests_unit_check_configobj_LDADD = $(UNIT_LDADD)
tests_unit_check_configobj_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_keysout_SOURCES = tests/unit/check_keysout.c $(CONFIGTEST_SOURCES)
tests_unit_check_keysout_LDADD = $(UNIT_LDADD)
tests_unit_check_keysout_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_keysremote_SOURCES = tests/unit/check_keysremote.c $(CONFIGTEST_SOURCES)
tests_unit_check_keysremote_LDADD = $(UNIT_LDADD)
tests_unit_check_keysremote_CFLAGS = $(UNIT_CFLAGS)
# The store programs share storetest.c (the state directory fixture).
UNIT_TESTS += tests/unit/check_storeparse
STORETEST_SOURCES = tests/unit/storetest.c tests/unit/storetest.h
tests_unit_check_store_SOURCES = tests/unit/check_store.c $(STORETEST_SOURCES)
tests_unit_check_store_LDADD = $(UNIT_LDADD)
tests_unit_check_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_storeparse_SOURCES = tests/unit/check_storeparse.c \
	$(STORETEST_SOURCES)
tests_unit_check_storeparse_LDADD = $(UNIT_LDADD)
tests_unit_check_storeparse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_proc_SOURCES = tests/unit/check_proc.c
tests_unit_check_proc_LDADD = $(UNIT_LDADD)
tests_unit_check_proc_CFLAGS = $(UNIT_CFLAGS)
# __wrap_free in check_proc.c sees captured output as it is freed.
tests_unit_check_proc_LDFLAGS = -Wl,--wrap=free
tests_unit_check_hook_SOURCES = tests/unit/check_hook.c
tests_unit_check_hook_LDADD = $(UNIT_LDADD)
tests_unit_check_hook_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_url_SOURCES = tests/unit/check_url.c
tests_unit_check_url_LDADD = $(UNIT_LDADD)
tests_unit_check_url_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_session_SOURCES = tests/unit/check_session.c
tests_unit_check_session_LDADD = $(UNIT_LDADD)
tests_unit_check_session_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_frame_SOURCES = tests/unit/check_frame.c
tests_unit_check_frame_LDADD = $(UNIT_LDADD)
tests_unit_check_frame_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_uvbridge_SOURCES = tests/unit/check_uvbridge.c
tests_unit_check_uvbridge_LDADD = $(UNIT_LDADD)
tests_unit_check_uvbridge_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_request_SOURCES = tests/unit/check_request.c
tests_unit_check_request_LDADD = $(UNIT_LDADD)
tests_unit_check_request_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_credentials_SOURCES = tests/unit/check_credentials.c
tests_unit_check_credentials_LDADD = $(UNIT_LDADD)
tests_unit_check_credentials_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_backoff_SOURCES = tests/unit/check_backoff.c
tests_unit_check_backoff_LDADD = $(UNIT_LDADD)
tests_unit_check_backoff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_pacer_SOURCES = tests/unit/check_pacer.c
tests_unit_check_pacer_LDADD = $(UNIT_LDADD)
tests_unit_check_pacer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_wakeup_SOURCES = tests/unit/check_wakeup.c
tests_unit_check_wakeup_LDADD = $(UNIT_LDADD)
tests_unit_check_wakeup_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_newmail_SOURCES = tests/unit/check_newmail.c
tests_unit_check_newmail_LDADD = $(UNIT_LDADD)
tests_unit_check_newmail_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_sockproto_SOURCES = tests/unit/check_sockproto.c
tests_unit_check_sockproto_LDADD = $(UNIT_LDADD)
tests_unit_check_sockproto_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_socket_SOURCES = tests/unit/check_socket.c
tests_unit_check_socket_LDADD = $(UNIT_LDADD)
tests_unit_check_socket_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_dbus_SOURCES = tests/unit/check_dbus.c
tests_unit_check_dbus_LDADD = $(UNIT_LDADD)
tests_unit_check_dbus_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_sse_SOURCES = tests/unit/check_sse.c
tests_unit_check_sse_LDADD = $(UNIT_LDADD)
tests_unit_check_sse_CFLAGS = $(UNIT_CFLAGS)
EXTRA_DIST += tests/unit/unit.h
tests_unit_check_esource_SOURCES = tests/unit/check_esource.c
tests_unit_check_esource_LDADD = $(UNIT_LDADD)
tests_unit_check_esource_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_utf8_SOURCES = tests/unit/check_utf8.c
tests_unit_check_utf8_LDADD = $(UNIT_LDADD)
tests_unit_check_utf8_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_sockauth_SOURCES = tests/unit/check_sockauth.c
tests_unit_check_sockauth_LDADD = $(UNIT_LDADD)
tests_unit_check_sockauth_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_netround_SOURCES = tests/unit/check_netround.c
tests_unit_check_netround_LDADD = $(UNIT_LDADD)
tests_unit_check_netround_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_ws_SOURCES = tests/unit/check_ws.c
tests_unit_check_ws_LDADD = $(UNIT_LDADD)
tests_unit_check_ws_CFLAGS = $(UNIT_CFLAGS)
check_PROGRAMS += tests/unit/check_http
TESTS += tests/unit/check_http
tests_unit_check_http_SOURCES = tests/unit/check_http.c
tests_unit_check_http_LDADD = $(UNIT_LDADD)
tests_unit_check_http_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_dial
tests_unit_check_dial_SOURCES = tests/unit/check_dial.c
tests_unit_check_dial_LDADD = $(UNIT_LDADD)
tests_unit_check_dial_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_strv
tests_unit_check_strv_SOURCES = tests/unit/check_strv.c
tests_unit_check_strv_LDADD = $(UNIT_LDADD)
tests_unit_check_strv_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_resync_SOURCES = tests/unit/check_resync.c
tests_unit_check_resync_LDADD = $(UNIT_LDADD)
tests_unit_check_resync_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_closepolicy_SOURCES = tests/unit/check_closepolicy.c
tests_unit_check_closepolicy_LDADD = $(UNIT_LDADD)
tests_unit_check_closepolicy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_account_SOURCES = tests/unit/check_account.c
tests_unit_check_account_LDADD = $(UNIT_LDADD)
tests_unit_check_account_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_timeutil
tests_unit_check_timeutil_SOURCES = tests/unit/check_timeutil.c
tests_unit_check_timeutil_LDADD = $(UNIT_LDADD)
tests_unit_check_timeutil_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_tlsstore
tests_unit_check_tlsstore_SOURCES = tests/unit/check_tlsstore.c
tests_unit_check_tlsstore_LDADD = $(UNIT_LDADD)
tests_unit_check_tlsstore_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_endpoint
tests_unit_check_endpoint_SOURCES = tests/unit/check_endpoint.c
tests_unit_check_endpoint_LDADD = $(UNIT_LDADD)
tests_unit_check_endpoint_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_mailbox tests/unit/check_mailmatch \
	tests/unit/check_mailview
tests_unit_check_mailbox_SOURCES = tests/unit/check_mailbox.c
tests_unit_check_mailbox_LDADD = $(UNIT_LDADD)
tests_unit_check_mailbox_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_mailmatch_SOURCES = tests/unit/check_mailmatch.c
tests_unit_check_mailmatch_LDADD = $(UNIT_LDADD)
tests_unit_check_mailmatch_CFLAGS = $(UNIT_CFLAGS)
# The mail view programs share mailtest.c (the cache, rounds, results).
UNIT_TESTS += tests/unit/check_mailtally
MAILTEST_SOURCES = tests/unit/mailtest.c tests/unit/mailtest.h
tests_unit_check_mailview_SOURCES = tests/unit/check_mailview.c \
	$(MAILTEST_SOURCES)
tests_unit_check_mailview_LDADD = $(UNIT_LDADD)
tests_unit_check_mailview_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_mailtally_SOURCES = tests/unit/check_mailtally.c \
	$(MAILTEST_SOURCES)
tests_unit_check_mailtally_LDADD = $(UNIT_LDADD)
tests_unit_check_mailtally_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_hookenv
tests_unit_check_hookenv_SOURCES = tests/unit/check_hookenv.c
tests_unit_check_hookenv_LDADD = $(UNIT_LDADD)
tests_unit_check_hookenv_CFLAGS = $(UNIT_CFLAGS)

UNIT_TESTS += tests/unit/check_statedir
tests_unit_check_statedir_SOURCES = tests/unit/check_statedir.c
tests_unit_check_statedir_LDADD = $(UNIT_LDADD)
tests_unit_check_statedir_CFLAGS = $(UNIT_CFLAGS)

UNIT_TESTS += tests/unit/check_hookmail
tests_unit_check_hookmail_SOURCES = tests/unit/check_hookmail.c
tests_unit_check_hookmail_LDADD = $(UNIT_LDADD)
tests_unit_check_hookmail_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_evqueue
tests_unit_check_evqueue_SOURCES = tests/unit/check_evqueue.c
tests_unit_check_evqueue_LDADD = $(UNIT_LDADD)
tests_unit_check_evqueue_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_webhooksign
tests_unit_check_webhooksign_SOURCES = tests/unit/check_webhooksign.c
tests_unit_check_webhooksign_LDADD = $(UNIT_LDADD)
tests_unit_check_webhooksign_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_mqtttopic
tests_unit_check_mqtttopic_SOURCES = tests/unit/check_mqtttopic.c
tests_unit_check_mqtttopic_LDADD = $(UNIT_LDADD)
tests_unit_check_mqtttopic_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_queuefile
tests_unit_check_queuefile_SOURCES = tests/unit/check_queuefile.c
tests_unit_check_queuefile_LDADD = $(UNIT_LDADD)
tests_unit_check_queuefile_CFLAGS = $(UNIT_CFLAGS)
UNIT_TESTS += tests/unit/check_log
tests_unit_check_log_SOURCES = tests/unit/check_log.c
tests_unit_check_log_LDADD = $(UNIT_LDADD)
tests_unit_check_log_CFLAGS = $(UNIT_CFLAGS)
# __wrap_localtime_r in check_log.c counts the time conversions.
tests_unit_check_log_LDFLAGS = -Wl,--wrap=localtime_r
UNIT_TESTS += tests/unit/check_memtrim
tests_unit_check_memtrim_SOURCES = tests/unit/check_memtrim.c
tests_unit_check_memtrim_LDADD = $(UNIT_LDADD)
tests_unit_check_memtrim_CFLAGS = $(UNIT_CFLAGS)
# __wrap_malloc_trim in check_memtrim.c counts the trims.
tests_unit_check_memtrim_LDFLAGS = -Wl,--wrap=malloc_trim
UNIT_TESTS += tests/unit/check_namemap
tests_unit_check_namemap_SOURCES = tests/unit/check_namemap.c
tests_unit_check_namemap_LDADD = $(UNIT_LDADD)
tests_unit_check_namemap_CFLAGS = $(UNIT_CFLAGS)
