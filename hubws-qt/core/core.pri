# SPDX-License-Identifier: MIT
# The hub core of nanostate-hubws, without widgets: included by the
# executable (and by the monitor to come). Needs QT += network websockets.
INCLUDEPATH += $$PWD
QT *= core network websockets
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lnanostate

HEADERS += \
    $$PWD/accesspolicy.h \
    $$PWD/httpconnection.h \
    $$PWD/httpreply.h \
    $$PWD/httprequest.h \
    $$PWD/hubconfig.h \
    $$PWD/hubengine.h \
    $$PWD/hubstate.h \
    $$PWD/hubws.h \
    $$PWD/tcplistener.h \
    $$PWD/webroot.h \
    $$PWD/writepolicy.h \
    $$PWD/wsclient.h \
    $$PWD/wsserver.h

SOURCES += \
    $$PWD/accesspolicy.cpp \
    $$PWD/httpconnection.cpp \
    $$PWD/httpreply.cpp \
    $$PWD/httprequest.cpp \
    $$PWD/hubconfig.cpp \
    $$PWD/hubconfig_help.cpp \
    $$PWD/hubengine.cpp \
    $$PWD/hubws.cpp \
    $$PWD/tcplistener.cpp \
    $$PWD/webroot.cpp \
    $$PWD/writepolicy.cpp \
    $$PWD/wsclient.cpp \
    $$PWD/wsserver.cpp
