# SPDX-License-Identifier: MIT
# Common settings, included by every C/C++ sub-project.
isEmpty(PREFIX): PREFIX = /usr/local
NANOSTATE_INCLUDE = $$NANOSTATE_SOURCE_ROOT/cnanostate/include
INCLUDEPATH += $$NANOSTATE_INCLUDE
CONFIG += warn_on c11
QMAKE_CFLAGS += -Wall -Wextra -Wno-unused-parameter
QMAKE_CXXFLAGS += -Wall -Wextra
# Binaries run in place (bin/ beside lib/) and after `make install`.
QMAKE_LFLAGS += '-Wl,-rpath,\'\$$ORIGIN/../lib\''
# Sanitizers for the whole tree: qmake CONFIG+=sanitize_nanostate
sanitize_nanostate {
    QMAKE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
    QMAKE_CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
    QMAKE_LFLAGS += -fsanitize=address,undefined
}
