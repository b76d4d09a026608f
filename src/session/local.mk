# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/session/jmapurl.c src/session/jmapurl.h \
	src/session/session.c src/session/session.h \
	src/session/frame.c src/session/frame.h \
	src/session/credentials.c src/session/credentials.h \
	src/session/request.c src/session/request.h \
	src/session/backoff.c src/session/backoff.h \
	src/session/pacer.c src/session/pacer.h \
	src/session/resync.c src/session/resync.h \
	src/session/esource.c src/session/esource.h \
	src/session/channel.c src/session/channel.h \
	src/session/closepolicy.c src/session/closepolicy.h \
	src/session/discovery.c src/session/discovery.h \
	src/session/attempt.c \
	src/session/deliver.c \
	src/session/account.c src/session/account.h \
	src/session/account-int.h
src_libjmappushd_a_SOURCES += \
	src/session/mailbox.c src/session/mailbox.h \
	src/session/mailresult.c src/session/mailresult.h \
	src/session/mailtally.c src/session/mailtally.h \
	src/session/mailview.c src/session/mailview.h \
	src/session/mailsync.c src/session/mailsync.h
