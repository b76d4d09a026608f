# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/output/hook.c src/output/hook.h src/output/hook-int.h \
	src/output/hookenv.c src/output/hookenv.h \
	src/output/hookowed.c \
	src/output/hookmail.c src/output/hookmail.h \
	src/output/dbus.c src/output/dbus.h \
	src/output/evqueue.c src/output/evqueue.h \
	src/output/dbusmsg.c src/output/dbusmsg.h \
	src/output/newmail.c src/output/newmail.h \
	src/output/notify.c src/output/notify.h src/output/notify-int.h \
	src/output/notifyact.c src/output/notifyfollow.c \
	src/output/outputs.c src/output/outputs.h \
	src/output/sockauth.c src/output/sockauth.h \
	src/output/sockclient.c src/output/sockclient.h \
	src/output/sockcmd.c src/output/sockcmd.h \
	src/output/sockproto.c src/output/sockproto.h \
	src/output/webhook.c src/output/webhook.h src/output/webhook-int.h \
	src/output/webhooksend.c \
	src/output/webhooksign.c src/output/webhooksign.h \
	src/output/socket.c src/output/socket.h \
	src/output/mqtt.c src/output/mqttconn.c src/output/mqtt.h \
	src/output/mqtttopic.c src/output/mqtttopic.h \
	src/output/mqtt-int.h src/output/mqttnet.c src/output/mqttret.c
