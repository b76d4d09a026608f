# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/transport/uvbridge.c src/transport/uvbridge.h \
	src/transport/url.c src/transport/url.h \
	src/transport/closeinfo.h \
	src/transport/dial.c src/transport/dial.h \
	src/transport/net.c src/transport/net.h src/transport/net-int.h \
	src/transport/netround.c src/transport/netround.h \
	src/transport/tlsstore.c src/transport/tlsstore.h \
	src/transport/netdial.c src/transport/netdial.h \
	src/transport/endpoint.c src/transport/endpoint.h \
	src/transport/netconn.c src/transport/netconn.h \
	src/transport/http.c src/transport/http.h \
	src/transport/ws.c src/transport/ws.h \
	src/transport/sse.c src/transport/sse.h
