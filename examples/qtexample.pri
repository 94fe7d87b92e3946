# SPDX-License-Identifier: MIT
# A Qt example linked against libqtnanostate from this build, built into
# bin/ and installed with the tools. (Outside this tree, a project gets the
# same settings from the installed share/nanostate/nanostate.pri: docs/QT.md.)
include(../nanostate.pri)
TEMPLATE = app
CONFIG += c++17
CONFIG -= app_bundle
DESTDIR = $$NANOSTATE_BUILD_ROOT/bin
DEFINES += QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII
INCLUDEPATH += $$NANOSTATE_SOURCE_ROOT/qtnanostate
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lqtnanostate -lnanostate
target.path = $$PREFIX/bin
INSTALLS += target
