# SPDX-License-Identifier: MIT
# A C executable linked against libnanostate, built into bin/.
include(../nanostate.pri)
TEMPLATE = app
CONFIG -= qt app_bundle
CONFIG += console link_pkgconfig
DESTDIR = $$NANOSTATE_BUILD_ROOT/bin
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lnanostate
target.path = $$PREFIX/bin
INSTALLS += target
