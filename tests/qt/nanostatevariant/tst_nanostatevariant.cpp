// SPDX-License-Identifier: MIT
// NanostateVariant: the QVariant <-> msgpack mapping, byte for byte.
#include <nanostatevariant.h>
#include <variantcompare.h>

#include <nanostate/nanostate.h>

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QPointF>
#include <QtCore/QRect>
#include <QtCore/QSize>
#include <QtCore/QUrl>
#include <QtCore/QUuid>
#include <QtGui/QColor>
#include <QtTest/QtTest>

#include <limits>
#include <time.h>

// A type of the program's own, which the mapping cannot know.
struct Color
{
    int r = 0, g = 0, b = 0;
};
Q_DECLARE_METATYPE(Color)

namespace {

QByteArray bytes(const char *hex)
{
    return QByteArray::fromHex(hex);
}

QDateTime utc(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
}

NanostateExt ext(int type, const QByteArray &data)
{
    NanostateExt e;
    e.type = type;
    e.data = data;
    return e;
}

// depth arrays (or maps {"k": ...}) around leaf; depth 0 is leaf itself.
QVariant nested(int depth, bool maps, const QVariant &leaf)
{
    QVariant v = leaf;
    for (int i = 0; i < depth; ++i)
        v = maps ? QVariant(QVariantMap{{QStringLiteral("k"), v}}) : QVariant(QVariantList{v});
    return v;
}

// The same value packed by hand: 0x91 or 0x81 0xa1 'k' per level.
QByteArray nestedPacked(int depth, bool maps, const QByteArray &leaf)
{
    QByteArray out;
    for (int i = 0; i < depth; ++i)
        out += maps ? bytes("81a16b") : bytes("91");
    return out + leaf;
}

int cValidate(const QByteArray &packed)
{
    return nanostate_value_validate(packed.constData(), size_t(packed.size()));
}

} // namespace

class tst_NanostateVariant : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void roundTrip_data();
    void roundTrip();
    void packedBytes_data();
    void packedBytes();
    void unpackedValue_data();
    void unpackedValue();
    void hashPacksLikeMap();
    void refusedType_data();
    void refusedType();
    void malformed_data();
    void malformed();
    void nestingPack_data();
    void nestingPack();
    void nestingUnpack_data();
    void nestingUnpack();

private:
    void nesting_data();
};

void tst_NanostateVariant::initTestCase()
{
    // Local time must differ from UTC for the local-time rows to mean
    // something: a POSIX TZ rule needs no time zone database.
    if (QDateTime::currentDateTime().offsetFromUtc() == 0) {
        qputenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3");
        tzset();
    }
    QVERIFY(QDateTime(QDate(2024, 5, 6), QTime(7, 8, 9), Qt::LocalTime).offsetFromUtc() != 0);
}

// pack then unpack: what a value becomes after a trip through msgpack.
void tst_NanostateVariant::roundTrip_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QVariant>("expected");

    const QVariant null = QVariant::fromValue(nullptr);
    QTest::newRow("invalid becomes null") << QVariant() << null;
    QTest::newRow("nullptr") << null << null;
    QTest::newRow("bool true") << QVariant(true) << QVariant(true);
    QTest::newRow("bool false") << QVariant(false) << QVariant(false);

    QTest::newRow("int 0") << QVariant(0) << QVariant(0);
    QTest::newRow("int 42") << QVariant(42) << QVariant(42);
    QTest::newRow("int -1") << QVariant(-1) << QVariant(-1);
    QTest::newRow("int min") << QVariant(std::numeric_limits<int>::min())
                             << QVariant(std::numeric_limits<int>::min());
    QTest::newRow("int max") << QVariant(std::numeric_limits<int>::max())
                             << QVariant(std::numeric_limits<int>::max());
    QTest::newRow("short becomes int") << QVariant::fromValue(short(-3)) << QVariant(-3);
    QTest::newRow("uint small becomes int") << QVariant(7u) << QVariant(7);
    QTest::newRow("uint max becomes qlonglong")
            << QVariant(std::numeric_limits<uint>::max())
            << QVariant(qlonglong(std::numeric_limits<uint>::max()));
    QTest::newRow("qlonglong small becomes int") << QVariant(qlonglong(5)) << QVariant(5);
    QTest::newRow("qlonglong min") << QVariant(std::numeric_limits<qlonglong>::min())
                                   << QVariant(std::numeric_limits<qlonglong>::min());
    QTest::newRow("qlonglong max") << QVariant(std::numeric_limits<qlonglong>::max())
                                   << QVariant(std::numeric_limits<qlonglong>::max());
    QTest::newRow("qlonglong below int")
            << QVariant(qlonglong(-2147483649LL)) << QVariant(qlonglong(-2147483649LL));
    QTest::newRow("qulonglong max") << QVariant(std::numeric_limits<qulonglong>::max())
                                    << QVariant(std::numeric_limits<qulonglong>::max());
    QTest::newRow("qulonglong 2^63")
            << QVariant(qulonglong(1) << 63) << QVariant(qulonglong(1) << 63);

    QTest::newRow("double 0.1") << QVariant(0.1) << QVariant(0.1);
    QTest::newRow("double whole stays double") << QVariant(2.0) << QVariant(2.0);
    QTest::newRow("double -0.0") << QVariant(-0.0) << QVariant(-0.0);
    QTest::newRow("double max") << QVariant(std::numeric_limits<double>::max())
                                << QVariant(std::numeric_limits<double>::max());
    QTest::newRow("double infinity") << QVariant(std::numeric_limits<double>::infinity())
                                     << QVariant(std::numeric_limits<double>::infinity());
    QTest::newRow("double NaN") << QVariant(std::numeric_limits<double>::quiet_NaN())
                                << QVariant(std::numeric_limits<double>::quiet_NaN());
    QTest::newRow("float 1.5") << QVariant(1.5f) << QVariant(1.5f);
    QTest::newRow("float 0.1") << QVariant(0.1f) << QVariant(0.1f);

    QTest::newRow("QString ASCII")
            << QVariant(QStringLiteral("hello")) << QVariant(QStringLiteral("hello"));
    const QString unicode = QStringLiteral("Gr\u00fc\u00dfe \u00b7 \u4e16\u754c \u00b7 \U0001F680");
    QTest::newRow("QString non-ASCII") << QVariant(unicode) << QVariant(unicode);
    QTest::newRow("QString empty") << QVariant(QString()) << QVariant(QString());
    const QByteArray zeros("\0a\0\xff\0", 5);
    QTest::newRow("QByteArray with zero bytes") << QVariant(zeros) << QVariant(zeros);
    QTest::newRow("QByteArray empty") << QVariant(QByteArray()) << QVariant(QByteArray());

    QTest::newRow("QStringList becomes QVariantList")
            << QVariant(QStringList{QStringLiteral("a"), unicode})
            << QVariant(QVariantList{QStringLiteral("a"), unicode});
    QTest::newRow("QVariantList empty") << QVariant(QVariantList()) << QVariant(QVariantList());
    QTest::newRow("QVariantList nested")
            << QVariant(QVariantList{1, QStringLiteral("two"),
                                     QVariantList{3.5, true, QVariantList()}, QVariant(),
                                     QVariantMap{{QStringLiteral("b"), zeros}}, 7u})
            << QVariant(QVariantList{1, QStringLiteral("two"),
                                     QVariantList{3.5, true, QVariantList()}, null,
                                     QVariantMap{{QStringLiteral("b"), zeros}}, 7});
    QTest::newRow("QVariantMap empty") << QVariant(QVariantMap()) << QVariant(QVariantMap());
    const QVariantMap map{{QStringLiteral("a"), 1},
                          {unicode, QVariantMap{{QStringLiteral("c"), QVariantList{true}}}},
                          {QStringLiteral(""), QStringLiteral("empty key")}};
    QTest::newRow("QVariantMap nested") << QVariant(map) << QVariant(map);
    // A msgpack map has no hash/ordered distinction: it comes back a QVariantMap.
    QTest::newRow("QVariantHash becomes QVariantMap")
            << QVariant(
                       QVariantHash{{QStringLiteral("x"), QVariantHash{{QStringLiteral("y"), -2}}}})
            << QVariant(QVariantMap{{QStringLiteral("x"), QVariantMap{{QStringLiteral("y"), -2}}}});

    // A timestamp is an instant: it always comes back in UTC, to the ms.
    const qint64 ms = 1714979289123; // 2024-05-06T07:08:09.123Z
    QTest::newRow("QDateTime UTC") << QVariant(utc(ms)) << QVariant(utc(ms));
    QTest::newRow("QDateTime local becomes UTC")
            << QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime)) << QVariant(utc(ms));
    QTest::newRow("QDateTime offset becomes UTC")
            << QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, 5 * 3600 + 1800))
            << QVariant(utc(ms));
    QTest::newRow("QDateTime epoch") << QVariant(utc(0)) << QVariant(utc(0));
    QTest::newRow("QDateTime before 1970") << QVariant(utc(-500)) << QVariant(utc(-500));
    QTest::newRow("QDateTime year 1")
            << QVariant(QDateTime(QDate(1, 1, 1), QTime(0, 0, 0, 1), Qt::UTC))
            << QVariant(QDateTime(QDate(1, 1, 1), QTime(0, 0, 0, 1), Qt::UTC));
    QTest::newRow("QDateTime year 2600 (timestamp 96)")
            << QVariant(QDateTime(QDate(2600, 1, 1), QTime(0, 0, 0, 999), Qt::UTC))
            << QVariant(QDateTime(QDate(2600, 1, 1), QTime(0, 0, 0, 999), Qt::UTC));

    // QJsonValue::toVariant() gives whole numbers as integers.
    QTest::newRow("QJsonValue whole number becomes int") << QVariant(QJsonValue(3)) << QVariant(3);
    QTest::newRow("QJsonValue number") << QVariant(QJsonValue(2.5)) << QVariant(2.5);
    QTest::newRow("QJsonValue string") << QVariant(QJsonValue(unicode)) << QVariant(unicode);
    QTest::newRow("QJsonValue null") << QVariant(QJsonValue(QJsonValue::Null)) << null;
    QTest::newRow("QJsonValue bool") << QVariant(QJsonValue(true)) << QVariant(true);
    const QJsonObject object{
            {QStringLiteral("a"), 1.5},
            {QStringLiteral("b"), QJsonArray{true, QStringLiteral("x"), QJsonValue()}}};
    const QVariantMap objectAsMap{
            {QStringLiteral("a"), 1.5},
            {QStringLiteral("b"), QVariantList{true, QStringLiteral("x"), null}}};
    QTest::newRow("QJsonObject becomes QVariantMap") << QVariant(object) << QVariant(objectAsMap);
    QTest::newRow("QJsonValue object") << QVariant(QJsonValue(object)) << QVariant(objectAsMap);
    QTest::newRow("QJsonArray becomes QVariantList")
            << QVariant(QJsonArray{2.5, QStringLiteral("s"), object})
            << QVariant(QVariantList{2.5, QStringLiteral("s"), objectAsMap});
    QTest::newRow("QJsonDocument becomes QVariantMap")
            << QVariant(QJsonDocument(object)) << QVariant(objectAsMap);

    QTest::newRow("QUrl becomes QString")
            << QVariant(QUrl(QStringLiteral("https://example.org/a?b=1")))
            << QVariant(QStringLiteral("https://example.org/a?b=1"));
    const QUuid uuid(QStringLiteral("{12345678-9abc-def0-1234-56789abcdef0}"));
    QTest::newRow("QUuid becomes QString")
            << QVariant(uuid) << QVariant(QStringLiteral("12345678-9abc-def0-1234-56789abcdef0"));
    QTest::newRow("QDate becomes QString")
            << QVariant(QDate(2024, 5, 6)) << QVariant(QStringLiteral("2024-05-06"));

    QTest::newRow("NanostateExt") << QVariant::fromValue(ext(5, bytes("0102")))
                                  << QVariant::fromValue(ext(5, bytes("0102")));
    QTest::newRow("NanostateExt empty, type -128") << QVariant::fromValue(ext(-128, QByteArray()))
                                                   << QVariant::fromValue(ext(-128, QByteArray()));
    QTest::newRow("NanostateExt 300 bytes") << QVariant::fromValue(ext(127, QByteArray(300, 'x')))
                                            << QVariant::fromValue(ext(127, QByteArray(300, 'x')));
    QTest::newRow("NanostateExt -1, not a timestamp size")
            << QVariant::fromValue(ext(-1, bytes("010203")))
            << QVariant::fromValue(ext(-1, bytes("010203")));
    // Type -1 is msgpack's timestamp: a well-formed one is decoded as one.
    QTest::newRow("NanostateExt -1, timestamp 32 becomes QDateTime")
            << QVariant::fromValue(ext(-1, bytes("00000001"))) << QVariant(utc(1000));
}

void tst_NanostateVariant::roundTrip()
{
    QFETCH(QVariant, value);
    QFETCH(QVariant, expected);

    QString error;
    const QByteArray packed = NanostateVariant::pack(value, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!packed.isEmpty());
    // What Qt packs, the C core accepts as one value.
    QCOMPARE(cValidate(packed), 0);

    const QVariant unpacked = NanostateVariant::unpack(packed, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    NS_COMPARE_VARIANT(unpacked, expected);

    // The char* overload agrees, and a received value packs to the same bytes,
    // so setting it again is not a change.
    NS_COMPARE_VARIANT(NanostateVariant::unpack(packed.constData(), size_t(packed.size())),
                       expected);
    QCOMPARE(NanostateVariant::pack(unpacked).toHex(' '), packed.toHex(' '));
}

// Exact msgpack bytes: smallest encodings, as docs/PROTOCOL.md requires.
void tst_NanostateVariant::packedBytes_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("invalid") << QVariant() << bytes("c0");
    QTest::newRow("true") << QVariant(true) << bytes("c3");
    QTest::newRow("false") << QVariant(false) << bytes("c2");
    QTest::newRow("42") << QVariant(42) << bytes("2a");
    QTest::newRow("-1") << QVariant(-1) << bytes("ff");
    QTest::newRow("127") << QVariant(127) << bytes("7f");
    QTest::newRow("128") << QVariant(128) << bytes("cc80");
    QTest::newRow("256") << QVariant(256) << bytes("cd0100");
    QTest::newRow("65536") << QVariant(65536) << bytes("ce00010000");
    QTest::newRow("-32") << QVariant(-32) << bytes("e0");
    QTest::newRow("-33") << QVariant(-33) << bytes("d0df");
    QTest::newRow("uint 5") << QVariant(5u) << bytes("05");
    QTest::newRow("qlonglong min")
            << QVariant(std::numeric_limits<qlonglong>::min()) << bytes("d38000000000000000");
    QTest::newRow("qulonglong max")
            << QVariant(std::numeric_limits<qulonglong>::max()) << bytes("cfffffffffffffffff");
    QTest::newRow("double 1.5") << QVariant(1.5) << bytes("cb3ff8000000000000");
    QTest::newRow("float 1.5") << QVariant(1.5f) << bytes("ca3fc00000");
    QTest::newRow("\"a\"") << QVariant(QStringLiteral("a")) << bytes("a161");
    QTest::newRow("\"\\u00e9\"") << QVariant(QStringLiteral("\u00e9")) << bytes("a2c3a9");
    QTest::newRow("32-byte string")
            << QVariant(QString(32, QLatin1Char('s'))) << bytes("d920") + QByteArray(32, 's');
    QTest::newRow("QByteArray \\x00") << QVariant(QByteArray("\0", 1)) << bytes("c40100");
    QTest::newRow("QStringList [\"a\"]")
            << QVariant(QStringList{QStringLiteral("a")}) << bytes("91a161");
    QTest::newRow("empty list") << QVariant(QVariantList()) << bytes("90");
    QTest::newRow("empty map") << QVariant(QVariantMap()) << bytes("80");
    QTest::newRow("{\"a\": 1, \"b\": [true, null]}") << QVariant(QVariantMap{
            {QStringLiteral("a"), 1}, {QStringLiteral("b"), QVariantList{true, QVariant()}}})
                                                     << bytes("82a16101a16292c3c0");
    QTest::newRow("QDateTime 1 s: timestamp 32") << QVariant(utc(1000)) << bytes("d6ff00000001");
    QTest::newRow("QDateTime 1.5 s: timestamp 64")
            << QVariant(utc(1500)) << bytes("d7ff7735940000000001");
    QTest::newRow("QDateTime -0.5 s: timestamp 96")
            << QVariant(utc(-500)) << bytes("c70cff1dcd6500ffffffffffffffff");
    QTest::newRow("NanostateExt 5 [01 02]")
            << QVariant::fromValue(ext(5, bytes("0102"))) << bytes("d5050102");
}

void tst_NanostateVariant::packedBytes()
{
    QFETCH(QVariant, value);
    QFETCH(QByteArray, expected);

    QString error;
    QCOMPARE(NanostateVariant::pack(value, &error).toHex(' '), expected.toHex(' '));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

// Values other msgpack writers may send.
void tst_NanostateVariant::unpackedValue_data()
{
    QTest::addColumn<QByteArray>("packed");
    QTest::addColumn<QVariant>("expected");

    QTest::newRow("uint 64 holding 5: int") << bytes("cf0000000000000005") << QVariant(5);
    QTest::newRow("int 64 holding -2: int") << bytes("d3fffffffffffffffe") << QVariant(-2);
    QTest::newRow("str 8 holding \"a\"") << bytes("d90161") << QVariant(QStringLiteral("a"));
    QTest::newRow("float32") << bytes("ca3fc00000") << QVariant(1.5f);
    QTest::newRow("timestamp 64") << bytes("d7ff1d535300663881d9") << QVariant(utc(1714979289123));
    QTest::newRow("timestamp 64, sub-ms truncated")
            << bytes("d7ff007a11fc00000001") << QVariant(utc(1001));
    QTest::newRow("timestamp 96, nsec 10^9: not a time")
            << bytes("c70cff3b9aca000000000000000001")
            << QVariant::fromValue(ext(-1, bytes("3b9aca000000000000000001")));
    // Keys that are not strings become their text.
    QTest::newRow("map, int key") << bytes(
            "8101a161") << QVariant(QVariantMap{{QStringLiteral("1"), QStringLiteral("a")}});
    QTest::newRow("map, negative key")
            << bytes("81ff01") << QVariant(QVariantMap{{QStringLiteral("-1"), 1}});
    QTest::newRow("map, nil key") << bytes("81c001")
                                  << QVariant(QVariantMap{{QStringLiteral("null"), 1}});
    QTest::newRow("map, bool key")
            << bytes("81c301") << QVariant(QVariantMap{{QStringLiteral("true"), 1}});
    QTest::newRow("map, array key")
            << bytes("81910102") << QVariant(QVariantMap{{QStringLiteral("[1]"), 2}});
    QTest::newRow("map, duplicate key: last wins")
            << bytes("82a16101a16102") << QVariant(QVariantMap{{QStringLiteral("a"), 2}});
}

void tst_NanostateVariant::unpackedValue()
{
    QFETCH(QByteArray, packed);
    QFETCH(QVariant, expected);

    QString error;
    const QVariant value = NanostateVariant::unpack(packed, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    NS_COMPARE_VARIANT(value, expected);
}

// Equal values must give equal bytes: Apps compare values by their bytes
// (a value set again is not a change only if it packs the same).
void tst_NanostateVariant::hashPacksLikeMap()
{
    // Eight keys: a QHash seeded at random is all but never in key order.
    QVariantMap map;
    QVariantHash hash;
    for (const char *key : {"h", "g", "f", "e", "d", "c", "b", "a"}) {
        map.insert(QLatin1String(key), QLatin1String(key));
        hash.insert(QLatin1String(key), QLatin1String(key));
    }
    QCOMPARE(NanostateVariant::pack(hash).toHex(' '), NanostateVariant::pack(map).toHex(' '));
}

void tst_NanostateVariant::refusedType_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("typeName");

    QTest::newRow("QPointF") << QVariant(QPointF(1, 2)) << QStringLiteral("QPointF");
    QTest::newRow("QSize") << QVariant(QSize(3, 4)) << QStringLiteral("QSize");
    QTest::newRow("QRect") << QVariant(QRect(0, 0, 1, 1)) << QStringLiteral("QRect");
    QTest::newRow("QChar") << QVariant(QChar(u'x')) << QStringLiteral("QChar");
    QTest::newRow("QColor") << QVariant(QColor(Qt::red)) << QStringLiteral("QColor");
    QTest::newRow("custom type") << QVariant::fromValue(Color{255, 0, 0})
                                 << QStringLiteral("Color");
    QTest::newRow("QObject pointer")
            << QVariant::fromValue(static_cast<QObject *>(nullptr)) << QStringLiteral("QObject*");
    QTest::newRow("QPointF inside a list")
            << QVariant(QVariantList{1, QPointF(1, 2)}) << QStringLiteral("QPointF");
    QTest::newRow("custom type inside a map")
            << QVariant(QVariantMap{{QStringLiteral("c"), QVariant::fromValue(Color())}})
            << QStringLiteral("Color");
    QTest::newRow("QSize inside a hash")
            << QVariant(QVariantHash{{QStringLiteral("s"), QSize()}}) << QStringLiteral("QSize");
}

void tst_NanostateVariant::refusedType()
{
    QFETCH(QVariant, value);
    QFETCH(QString, typeName);

    QString error;
    QCOMPARE(NanostateVariant::pack(value, &error), QByteArray());
    QVERIFY2(error.contains(typeName), qPrintable(error));
}

void tst_NanostateVariant::malformed_data()
{
    QTest::addColumn<QByteArray>("packed");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("never used 0xc1") << bytes("c1");
    QTest::newRow("0xc1 inside an array") << bytes("9201c1");
    QTest::newRow("truncated str") << bytes("a56162");
    QTest::newRow("truncated array") << bytes("9201");
    QTest::newRow("truncated map") << bytes("82a16101");
    QTest::newRow("truncated uint 16") << bytes("cd01");
    QTest::newRow("truncated float 64") << bytes("cb3ff8");
    QTest::newRow("truncated bin") << bytes("c40500");
    QTest::newRow("truncated ext") << bytes("d505");
    QTest::newRow("trailing byte") << bytes("0102");
    QTest::newRow("trailing bytes after a map") << bytes("80a161");
    QTest::newRow("two values") << bytes("c3c3");
    QTest::newRow("array 32 counting 2^32-1 items, none there") << bytes("ddffffffff");
    QTest::newRow("map 32 counting 2^32-1 pairs, none there") << bytes("dfffffffff");
    QTest::newRow("bin 32 of 2^32-1 bytes, none there") << bytes("c6ffffffff");
}

void tst_NanostateVariant::malformed()
{
    QFETCH(QByteArray, packed);

    QCOMPARE(cValidate(packed), int(NANOSTATE_EVALUE)); // the C core agrees
    QString error;
    const QVariant value = NanostateVariant::unpack(packed, &error);
    QVERIFY2(!value.isValid(), qPrintable(describeVariant(value)));
    QVERIFY(!error.isEmpty());
}

// docs/PROTOCOL.md: at most 64 levels; a scalar is level 0, [1] level 1.
void tst_NanostateVariant::nesting_data()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<bool>("maps");
    QTest::addColumn<bool>("emptyInnermost");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("arrays 1") << 1 << false << false << true;
    QTest::newRow("arrays 64") << 64 << false << false << true;
    QTest::newRow("arrays 65") << 65 << false << false << false;
    QTest::newRow("maps 64") << 64 << true << false << true;
    QTest::newRow("maps 65") << 65 << true << false << false;
    QTest::newRow("arrays 64, innermost empty") << 64 << false << true << true;
    QTest::newRow("arrays 65, innermost empty") << 65 << false << true << false;
    QTest::newRow("maps 65, innermost empty") << 65 << true << true << false;
    QTest::newRow("arrays 200") << 200 << false << false << false;
}

// The value of a nesting_data() row, and its bytes packed by hand.
static void nestingRow(QVariant *value, QByteArray *packed)
{
    QFETCH(int, depth);
    QFETCH(bool, maps);
    QFETCH(bool, emptyInnermost);
    if (emptyInnermost) { // depth - 1 levels around an empty container
        *value = nested(depth - 1, maps, maps ? QVariant(QVariantMap()) : QVariant(QVariantList()));
        *packed = nestedPacked(depth - 1, maps, maps ? bytes("80") : bytes("90"));
    } else {
        *value = nested(depth, maps, 1);
        *packed = nestedPacked(depth, maps, bytes("01"));
    }
}

void tst_NanostateVariant::nestingPack_data()
{
    nesting_data();
}

void tst_NanostateVariant::nestingPack()
{
    QFETCH(bool, accepted);
    QVariant value;
    QByteArray packed;
    nestingRow(&value, &packed);
    QCOMPARE(cValidate(packed), accepted ? 0 : int(NANOSTATE_EVALUE)); // the C core's verdict

    QString error;
    const QByteArray result = NanostateVariant::pack(value, &error);
    if (accepted) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(result.toHex(), packed.toHex());
    } else {
        QVERIFY2(!error.isEmpty() && result.isEmpty(), "packed a value nested too deep");
        QVERIFY2(error.contains(QStringLiteral("64")), qPrintable(error));
    }
}

void tst_NanostateVariant::nestingUnpack_data()
{
    nesting_data();
}

void tst_NanostateVariant::nestingUnpack()
{
    QFETCH(bool, accepted);
    QVariant value;
    QByteArray packed;
    nestingRow(&value, &packed);

    QString error;
    const QVariant unpacked = NanostateVariant::unpack(packed, &error);
    if (accepted) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        NS_COMPARE_VARIANT(unpacked, value);
    } else {
        QVERIFY2(!error.isEmpty() && !unpacked.isValid(), "unpacked a value nested too deep");
    }
}

QTEST_MAIN(tst_NanostateVariant)
#include "tst_nanostatevariant.moc"
