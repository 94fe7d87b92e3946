// SPDX-License-Identifier: MIT
#include "nanostatevariant.h"

#include <QtCore/QDate>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QUuid>

#include <cmath>
#include <limits>
#include <sstream>
#include <msgpack.h>
#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

namespace {

const int maxDepth = 64; // docs/PROTOCOL.md, "Limits"

int appendTo(void *data, const char *buf, size_t len)
{
    static_cast<QByteArray *>(data)->append(buf, int(len));
    return 0;
}

bool packValue(msgpack_packer *pk, const QVariant &v, int depth, QString *error);

bool packString(msgpack_packer *pk, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return msgpack_pack_str_with_body(pk, utf8.constData(), size_t(utf8.size())) == 0;
}

// depth: how many arrays and maps enclose the container about to be packed;
// docs/PROTOCOL.md counts [1] as level 1, so the container is level depth + 1.
bool tooDeep(int depth, QString *error)
{
    if (depth < maxDepth)
        return false;
    if (error)
        *error = QStringLiteral("value nested deeper than %1 levels").arg(maxDepth);
    return true;
}

bool packMap(msgpack_packer *pk, const QVariantMap &map, int depth, QString *error)
{
    if (tooDeep(depth, error))
        return false;
    msgpack_pack_map(pk, size_t(map.size()));
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        packString(pk, it.key());
        if (!packValue(pk, it.value(), depth + 1, error))
            return false;
    }
    return true;
}

bool packValue(msgpack_packer *pk, const QVariant &v, int depth, QString *error)
{
    const int type = v.userType();
    switch (type) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        msgpack_pack_nil(pk);
        return true;
    case QMetaType::Bool:
        v.toBool() ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        return true;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::Char:
    case QMetaType::SChar:
        msgpack_pack_int64(pk, v.toLongLong());
        return true;
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::UChar:
        msgpack_pack_uint64(pk, v.toULongLong());
        return true;
    case QMetaType::Double:
        msgpack_pack_double(pk, v.toDouble());
        return true;
    case QMetaType::Float:
        msgpack_pack_float(pk, v.toFloat());
        return true;
    case QMetaType::QString:
        return packString(pk, v.toString());
    case QMetaType::QUrl:
        return packString(pk, v.toUrl().toString());
    case QMetaType::QUuid:
        return packString(pk, v.toUuid().toString(QUuid::WithoutBraces));
    case QMetaType::QDate:
        return packString(pk, v.toDate().toString(Qt::ISODate));
    case QMetaType::QByteArray: {
        const QByteArray b = v.toByteArray();
        msgpack_pack_bin_with_body(pk, b.constData(), size_t(b.size()));
        return true;
    }
    case QMetaType::QStringList: {
        if (tooDeep(depth, error))
            return false;
        const QStringList list = v.toStringList();
        msgpack_pack_array(pk, size_t(list.size()));
        for (const QString &s : list)
            packString(pk, s);
        return true;
    }
    case QMetaType::QVariantList: {
        if (tooDeep(depth, error))
            return false;
        const QVariantList list = v.toList();
        msgpack_pack_array(pk, size_t(list.size()));
        for (const QVariant &item : list)
            if (!packValue(pk, item, depth + 1, error))
                return false;
        return true;
    }
    case QMetaType::QVariantMap:
        return packMap(pk, v.toMap(), depth, error);
    case QMetaType::QVariantHash: {
        // In key order like a QVariantMap, not in hash order (which changes
        // from run to run): equal values must give equal bytes.
        const QVariantHash hash = v.toHash();
        QVariantMap map;
        for (auto it = hash.cbegin(); it != hash.cend(); ++it)
            map.insert(it.key(), it.value());
        return packMap(pk, map, depth, error);
    }
    case QMetaType::QDateTime: {
        const qint64 ms = v.toDateTime().toMSecsSinceEpoch();
        msgpack_timestamp ts;
        ts.tv_sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
        ts.tv_nsec = uint32_t((ms - ts.tv_sec * 1000) * 1000000);
        msgpack_pack_timestamp(pk, &ts);
        return true;
    }
    case QMetaType::QJsonValue:
        return packValue(pk, v.toJsonValue().toVariant(), depth, error);
    case QMetaType::QJsonObject:
        return packMap(pk, v.toJsonObject().toVariantMap(), depth, error);
    case QMetaType::QJsonArray:
        return packValue(pk, v.toJsonArray().toVariantList(), depth, error);
    case QMetaType::QJsonDocument: {
        const QJsonDocument doc = v.toJsonDocument();
        return packValue(pk, doc.isArray() ? QVariant(doc.array().toVariantList())
                                           : QVariant(doc.object().toVariantMap()),
                         depth, error);
    }
    default:
        break;
    }
    if (type == qMetaTypeId<NanostateExt>()) {
        const NanostateExt ext = v.value<NanostateExt>();
        msgpack_pack_ext_with_body(pk, ext.data.constData(), size_t(ext.data.size()),
                                   int8_t(ext.type));
        return true;
    }
    if (error)
        *error = QStringLiteral("values of type %1 cannot be sent; convert them to a number, "
                                "string, list or map first")
                     .arg(QString::fromLatin1(v.typeName()));
    return false;
}

QString keyText(const msgpack::object &key)
{
    switch (key.type) {
    case msgpack::type::STR:
        return QString::fromUtf8(key.via.str.ptr, int(key.via.str.size));
    case msgpack::type::POSITIVE_INTEGER:
        return QString::number(key.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
        return QString::number(key.via.i64);
    case msgpack::type::BOOLEAN:
        return key.via.boolean ? QStringLiteral("true") : QStringLiteral("false");
    case msgpack::type::NIL:
        return QStringLiteral("null");
    default: {
        std::ostringstream os;
        os << key;
        return QString::fromStdString(os.str());
    }
    }
}

quint64 bigEndian(const char *p, int n)
{
    quint64 v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | quint8(p[i]);
    return v;
}

// The msgpack timestamp extension (type -1) in its three sizes.
bool timestampToDateTime(const char *p, uint32_t size, QDateTime *out)
{
    qint64 sec;
    quint32 nsec;
    if (size == 4) {
        sec = qint64(bigEndian(p, 4));
        nsec = 0;
    } else if (size == 8) {
        const quint64 v = bigEndian(p, 8);
        nsec = quint32(v >> 34);
        sec = qint64(v & 0x3ffffffffULL);
    } else if (size == 12) {
        nsec = quint32(bigEndian(p, 4));
        sec = qint64(bigEndian(p + 4, 8));
    } else {
        return false;
    }
    if (nsec > 999999999)
        return false;
    *out = QDateTime::fromMSecsSinceEpoch(sec * 1000 + nsec / 1000000, Qt::UTC);
    return true;
}

QVariant toVariant(const msgpack::object &o)
{
    switch (o.type) {
    case msgpack::type::NIL:
        return QVariant::fromValue(nullptr);
    case msgpack::type::BOOLEAN:
        return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
        if (o.via.u64 <= uint64_t(std::numeric_limits<int>::max()))
            return int(o.via.u64);
        if (o.via.u64 <= uint64_t(std::numeric_limits<qint64>::max()))
            return qlonglong(o.via.u64);
        return qulonglong(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
        if (o.via.i64 >= std::numeric_limits<int>::min())
            return int(o.via.i64);
        return qlonglong(o.via.i64);
    case msgpack::type::FLOAT32:
        return float(o.via.f64);
    case msgpack::type::FLOAT64:
        return o.via.f64;
    case msgpack::type::STR:
        return QString::fromUtf8(o.via.str.ptr, int(o.via.str.size));
    case msgpack::type::BIN:
        return QByteArray(o.via.bin.ptr, int(o.via.bin.size));
    case msgpack::type::ARRAY: {
        QVariantList list;
        list.reserve(int(o.via.array.size));
        for (uint32_t i = 0; i < o.via.array.size; ++i)
            list.append(toVariant(o.via.array.ptr[i]));
        return list;
    }
    case msgpack::type::MAP: {
        QVariantMap map;
        for (uint32_t i = 0; i < o.via.map.size; ++i)
            map.insert(keyText(o.via.map.ptr[i].key), toVariant(o.via.map.ptr[i].val));
        return map;
    }
    case msgpack::type::EXT: {
        if (o.via.ext.type() == -1) {
            QDateTime time;
            if (timestampToDateTime(o.via.ext.data(), o.via.ext.size, &time))
                return time;
        }
        NanostateExt ext;
        ext.type = o.via.ext.type();
        ext.data = QByteArray(o.via.ext.data(), int(o.via.ext.size));
        return QVariant::fromValue(ext);
    }
    }
    return QVariant();
}

} // namespace

QByteArray NanostateVariant::pack(const QVariant &value, QString *error)
{
    QByteArray out;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, appendTo);
    if (!packValue(&pk, value, 0, error))
        return QByteArray();
    return out;
}

QVariant NanostateVariant::unpack(const char *data, size_t size, QString *error)
{
    try {
        // Depth and sizes were checked by libnanostate for values it hands
        // out; the limits here guard direct callers.
        // No container or string can hold more items or bytes than the input
        // has: msgpack-c allocates what a header claims before reading on.
        const std::size_t n = size;
        msgpack::unpack_limit limit(n, n / 2, n, n, n, maxDepth);
        std::size_t offset = 0;
        msgpack::object_handle oh = msgpack::unpack(data, size, offset, nullptr, nullptr, limit);
        if (offset != size) {
            if (error)
                *error = QStringLiteral("bytes after the msgpack value");
            return QVariant();
        }
        return toVariant(oh.get());
    } catch (const std::exception &e) {
        if (error)
            *error = QStringLiteral("malformed msgpack value: %1").arg(QString::fromUtf8(e.what()));
        return QVariant();
    }
}

QVariant NanostateVariant::unpack(const QByteArray &packed, QString *error)
{
    return unpack(packed.constData(), size_t(packed.size()), error);
}
