# SPDX-License-Identifier: MIT
# A QtTest executable: every tests/qt/<class>/tst_<class>.pro includes this.
# Built into BUILD/tests/qt (the rpath $ORIGIN/../../lib finds BUILD/lib),
# never installed; tests/run runs it with -platform offscreen -o -,tap.
include($$NANOSTATE_SOURCE_ROOT/nanostate.pri)
TEMPLATE = app
# gui only for QTEST_MAIN's QGuiApplication, which takes tests/run's -platform offscreen.
QT = core gui network testlib
CONFIG += c++17 console
CONFIG -= app_bundle
DESTDIR = $$NANOSTATE_BUILD_ROOT/tests/qt
QMAKE_LFLAGS += '-Wl,-rpath,\'\$$ORIGIN/../../lib\''

INCLUDEPATH += $$NANOSTATE_SOURCE_ROOT/qtnanostate $$PWD/shared
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lqtnanostate -lnanostate

# Shared by the suites: a hub process per test, strict QVariant comparison.
HEADERS += $$PWD/shared/hubprocess.h $$PWD/shared/variantcompare.h
SOURCES += $$PWD/shared/hubprocess.cpp $$PWD/shared/variantcompare.cpp
