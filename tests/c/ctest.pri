# SPDX-License-Identifier: MIT
# A cmocka test executable, included by every tests/c/tst_X/tst_X.pro.
# Built into BUILD/tests (so the rpath $ORIGIN/../lib finds BUILD/lib), never
# installed; tests/run runs it with CMOCKA_MESSAGE_OUTPUT=TAP.
include($$NANOSTATE_SOURCE_ROOT/nanostate.pri)
TEMPLATE = app
CONFIG -= qt app_bundle
CONFIG += console link_pkgconfig
DESTDIR = $$NANOSTATE_BUILD_ROOT/tests
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lnanostate
PKGCONFIG += cmocka nanomsg msgpack

# White-box tests compile the internal files they test directly:
#   SOURCES += $$NANOSTATE_LIB_SRC/frame.c
NANOSTATE_LIB_SRC = $$NANOSTATE_SOURCE_ROOT/cnanostate/lib
INCLUDEPATH += $$NANOSTATE_LIB_SRC $$PWD

HEADERS += $$PWD/testutil.h
SOURCES += $$PWD/testutil.c
