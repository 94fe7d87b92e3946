# SPDX-License-Identifier: MIT
# Nanostate for your own qmake project. `make install` puts this file in
# PREFIX/share/nanostate/; one line in your .pro then does it all:
#
#     include(/usr/local/share/nanostate/nanostate.pri)
#
# (Not to be confused with nanostate.pri at the top of the source tree, the
# settings Nanostate's own build shares.) It finds the installation from
# where it lies itself, so a staged or moved install works too, and sets:
#
#   INCLUDEPATH     PREFIX/include/nanostate: #include <nanostateapp.h>
#                   PREFIX/include:           #include <nanostate/nanostate.h>
#   LIBS            -LPREFIX/lib -lqtnanostate -lnanostate
#   QMAKE_RPATHDIR  PREFIX/lib: the program runs without LD_LIBRARY_PATH
#   DEFINES         NANOSTATE_QML_IMPORT_PATH, "PREFIX/lib/qml", where the
#                   Nanostate QML module is when PREFIX was given to qmake:
#                   engine.addImportPath(QStringLiteral(NANOSTATE_QML_IMPORT_PATH))
#                   (with the default prefix it is in Qt's own QML folder).
#
# It adds no Qt module: NanostateApp needs QtCore only; add QT += quick
# (or qml) yourself for QML. docs/QT.md has a whole example.

isEmpty(NANOSTATE_PREFIX) {
    NANOSTATE_PREFIX = $$clean_path($$PWD/../..)
    !exists($$NANOSTATE_PREFIX/include/nanostate/nanostateapp.h) {
        error("Nanostate: no include/nanostate/nanostateapp.h under $$NANOSTATE_PREFIX;" \
              "include nanostate.pri from PREFIX/share/nanostate after 'make install'")
    }
    INCLUDEPATH += $$NANOSTATE_PREFIX/include/nanostate $$NANOSTATE_PREFIX/include
    LIBS += -L$$NANOSTATE_PREFIX/lib -lqtnanostate -lnanostate
    QMAKE_RPATHDIR += $$NANOSTATE_PREFIX/lib
    DEFINES += NANOSTATE_QML_IMPORT_PATH=\\\"$$NANOSTATE_PREFIX/lib/qml\\\"
}
