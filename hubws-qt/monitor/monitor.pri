# SPDX-License-Identifier: MIT
# The monitor window of nanostate-hubws: a view over the hub engine and the
# WebSocket server of core/ (it forwards nothing itself). Include it after
# core/core.pri and after the .pro's own `QT =` line, which would otherwise
# drop the modules added here. README.md says how app/main.cpp creates it.
INCLUDEPATH += $$PWD $$NANOSTATE_SOURCE_ROOT/qtnanostate
QT *= core gui widgets network websockets
LIBS += -L$$NANOSTATE_BUILD_ROOT/lib -lqtnanostate

HEADERS += \
    $$PWD/clientsmodel.h \
    $$PWD/globpattern.h \
    $$PWD/logview.h \
    $$PWD/monitoroptions.h \
    $$PWD/monitorwindow.h \
    $$PWD/rategraph.h \
    $$PWD/ratesampler.h \
    $$PWD/screenshottaker.h \
    $$PWD/statesfilter.h \
    $$PWD/statesmodel.h \
    $$PWD/valuetext.h

SOURCES += \
    $$PWD/clientsmodel.cpp \
    $$PWD/globpattern.cpp \
    $$PWD/logview.cpp \
    $$PWD/monitoroptions.cpp \
    $$PWD/monitorwindow.cpp \
    $$PWD/rategraph.cpp \
    $$PWD/ratesampler.cpp \
    $$PWD/screenshottaker.cpp \
    $$PWD/statesfilter.cpp \
    $$PWD/statesmodel.cpp \
    $$PWD/valuetext.cpp
