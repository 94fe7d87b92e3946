// SPDX-License-Identifier: MIT
#ifndef VARIANTCOMPARE_H
#define VARIANTCOMPARE_H

#include <QtCore/QString>
#include <QtCore/QVariant>
#include <QtTest/QTest>

// QVariant's operator== converts between types (QVariant(1) == QVariant(1.0)
// and == QVariant(qlonglong(1))), so it cannot tell which type arrived. These
// compare type and value, recursively through lists and maps.

// Empty if actual has the same type and value as expected, else where and how
// they differ.
QString variantDifference(const QVariant &actual, const QVariant &expected);
// "int 42", "QVariantList [int 1, QString \"a\"]", "QByteArray 00ff", ...
QString describeVariant(const QVariant &value);

#define NS_COMPARE_VARIANT(actual, expected)                                                       \
    do {                                                                                           \
        const QString difference_ = variantDifference((actual), (expected));                       \
        QVERIFY2(difference_.isEmpty(), qPrintable(difference_));                                  \
    } while (false)

#define NS_TRY_COMPARE_VARIANT(actual, expected, timeout)                                          \
    QTRY_VERIFY2_WITH_TIMEOUT(variantDifference((actual), (expected)).isEmpty(),                   \
                              qPrintable(variantDifference((actual), (expected))), (timeout))

#endif // VARIANTCOMPARE_H
