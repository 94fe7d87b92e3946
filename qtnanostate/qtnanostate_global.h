// SPDX-License-Identifier: MIT
#ifndef QTNANOSTATE_GLOBAL_H
#define QTNANOSTATE_GLOBAL_H

#include <QtCore/qglobal.h>

#if defined(QTNANOSTATE_LIBRARY)
#define QTNANOSTATE_EXPORT Q_DECL_EXPORT
#else
#define QTNANOSTATE_EXPORT Q_DECL_IMPORT
#endif

#endif // QTNANOSTATE_GLOBAL_H
