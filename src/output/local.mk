src_libjmappushd_a_SOURCES += \
	src/output/hook.c src/output/hook.h \
	src/output/outputs.c src/output/outputs.h \
	src/output/busconn.c src/output/busconn.h
