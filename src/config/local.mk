# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/config/config.c src/config/config.h src/config/config-int.h \
	src/config/configobj.c \
	src/config/keys.c src/config/keysout.c src/config/keysremote.c \
	src/config/values.c src/config/values.h \
	src/config/mailmatch.c src/config/mailmatch.h
