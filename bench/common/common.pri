# SPDX-License-Identifier: MIT
# The transports every comparing benchmark shares (bench/common/transport.h).
# Mosquitto and ZeroMQ are optional so the tree builds without them.
include(../../cnanostate/app.pri)
INSTALLS -= target
INCLUDEPATH += $$PWD
PKGCONFIG += nanomsg
HEADERS += $$PWD/transport.h
SOURCES += $$PWD/transport.c $$PWD/transport_nanostate.c $$PWD/transport_nanomsg.c
packagesExist(libmosquitto) {
    PKGCONFIG += libmosquitto
    DEFINES += BENCH_HAVE_MOSQUITTO
    SOURCES += $$PWD/transport_mosquitto.c
}
packagesExist(libzmq) {
    PKGCONFIG += libzmq
    DEFINES += BENCH_HAVE_ZMQ
    SOURCES += $$PWD/transport_zmq.c
}
