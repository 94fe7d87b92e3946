// SPDX-License-Identifier: MIT
#include "valuetext.h"

#include <nanostate/nanostate.h>
#include <nanostatevariant.h>

#include <QtCore/QDateTime>
#include <QtCore/QLocale>

#include <cmath>
#include <limits>

namespace {
const QChar ellipsis(0x2026);

// Writes JSON text until `budget` characters are exceeded (-1: no limit).
class Writer
{
public:
    explicit Writer(int budget) : budget(budget) {}

    bool isFull() const { return budget >= 0 && out.size() > budget; }
    QString text() const { return out; }

    void write(const QVariant &v)
    {
        if (isFull())
            return;
        switch (v.userType()) {
        case QMetaType::UnknownType:
        case QMetaType::Nullptr:
            out += QLatin1String("null");
            return;
        case QMetaType::Bool:
            out += v.toBool() ? QLatin1String("true") : QLatin1String("false");
            return;
        case QMetaType::Int:
        case QMetaType::LongLong:
            out += QString::number(v.toLongLong());
            return;
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            out += QString::number(v.toULongLong());
            return;
        case QMetaType::Float:
            real(double(v.toFloat()), true);
            return;
        case QMetaType::Double:
            real(v.toDouble(), false);
            return;
        case QMetaType::QString:
            string(v.toString());
            return;
        case QMetaType::QByteArray:
            out += QLatin1String("{\"base64\": ");
            string(QString::fromLatin1(v.toByteArray().toBase64()));
            out += QLatin1Char('}');
            return;
        case QMetaType::QDateTime:
            string(v.toDateTime().toUTC().toString(Qt::ISODateWithMs));
            return;
        case QMetaType::QVariantList: {
            out += QLatin1Char('[');
            bool first = true;
            for (const QVariant &item : v.toList()) {
                if (isFull())
                    return;
                if (!first)
                    out += QLatin1String(", ");
                first = false;
                write(item);
            }
            out += QLatin1Char(']');
            return;
        }
        case QMetaType::QVariantMap: {
            out += QLatin1Char('{');
            const QVariantMap map = v.toMap();
            bool first = true;
            for (auto it = map.cbegin(); it != map.cend(); ++it) {
                if (isFull())
                    return;
                if (!first)
                    out += QLatin1String(", ");
                first = false;
                string(it.key());
                out += QLatin1String(": ");
                write(it.value());
            }
            out += QLatin1Char('}');
            return;
        }
        default:
            break;
        }
        if (v.userType() == qMetaTypeId<NanostateExt>()) {
            const NanostateExt ext = v.value<NanostateExt>();
            out += QStringLiteral("{\"ext\": %1, \"base64\": ").arg(ext.type);
            string(QString::fromLatin1(ext.data.toBase64()));
            out += QLatin1Char('}');
            return;
        }
        string(v.toString());
    }

private:
    void real(double d, bool isFloat32)
    {
        if (!std::isfinite(d)) {
            out += QLatin1String("null");
            return;
        }
        QString text = QString::number(d, 'g', QLocale::FloatingPointShortest);
        if (isFloat32) {
            // The shortest text that reads back as the same float32.
            const float f = float(d);
            for (int digits = 6; digits <= 9; ++digits) {
                const QString t = QString::number(d, 'g', digits);
                if (t.toFloat() == f) {
                    text = t;
                    break;
                }
            }
        }
        if (!text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')))
            text += QLatin1String(".0");
        out += text;
    }

    void string(const QString &s)
    {
        out += QLatin1Char('"');
        for (const QChar c : s) {
            if (isFull())
                return;
            switch (c.unicode()) {
            case '"': out += QLatin1String("\\\""); break;
            case '\\': out += QLatin1String("\\\\"); break;
            case '\n': out += QLatin1String("\\n"); break;
            case '\r': out += QLatin1String("\\r"); break;
            case '\t': out += QLatin1String("\\t"); break;
            case '\b': out += QLatin1String("\\b"); break;
            case '\f': out += QLatin1String("\\f"); break;
            default:
                if (c.unicode() < 0x20)
                    out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
                else
                    out += c;
            }
        }
        out += QLatin1Char('"');
    }

    int budget;
    QString out;
};

// A strict JSON reader: Qt's own turns 3.0 into an integer and loses
// integers above INT64_MAX.
class Reader
{
public:
    explicit Reader(const QString &text) : s(text) {}

    bool read(QVariant *out)
    {
        skipSpace();
        if (!value(out, 0))
            return false;
        skipSpace();
        return i == s.size();
    }

private:
    static constexpr int maxDepth = 32; // msgpack-c's unpacker limit

    void skipSpace()
    {
        while (i < s.size()
               && (s.at(i) == QLatin1Char(' ') || s.at(i) == QLatin1Char('\t')
                   || s.at(i) == QLatin1Char('\n') || s.at(i) == QLatin1Char('\r')))
            ++i;
    }

    bool literal(const char *word)
    {
        const QLatin1String w(word);
        if (s.midRef(i, w.size()) != w)
            return false;
        i += w.size();
        return true;
    }

    bool value(QVariant *out, int depth)
    {
        if (i >= s.size() || depth > maxDepth)
            return false;
        const QChar c = s.at(i);
        if (c == QLatin1Char('{'))
            return object(out, depth);
        if (c == QLatin1Char('['))
            return array(out, depth);
        if (c == QLatin1Char('"')) {
            QString str;
            if (!string(&str))
                return false;
            *out = str;
            return true;
        }
        if (literal("true")) {
            *out = true;
            return true;
        }
        if (literal("false")) {
            *out = false;
            return true;
        }
        if (literal("null")) {
            *out = QVariant::fromValue(nullptr);
            return true;
        }
        return number(out);
    }

    bool number(QVariant *out)
    {
        const int start = i;
        if (i < s.size() && s.at(i) == QLatin1Char('-'))
            ++i;
        const int digits = i;
        while (i < s.size() && s.at(i).isDigit() && s.at(i).unicode() < 128)
            ++i;
        if (i == digits || (s.at(digits) == QLatin1Char('0') && i - digits > 1))
            return false;
        bool isReal = false;
        if (i < s.size() && s.at(i) == QLatin1Char('.')) {
            isReal = true;
            const int fraction = ++i;
            while (i < s.size() && s.at(i).unicode() >= '0' && s.at(i).unicode() <= '9')
                ++i;
            if (i == fraction)
                return false;
        }
        if (i < s.size() && (s.at(i) == QLatin1Char('e') || s.at(i) == QLatin1Char('E'))) {
            isReal = true;
            ++i;
            if (i < s.size() && (s.at(i) == QLatin1Char('+') || s.at(i) == QLatin1Char('-')))
                ++i;
            const int exponent = i;
            while (i < s.size() && s.at(i).unicode() >= '0' && s.at(i).unicode() <= '9')
                ++i;
            if (i == exponent)
                return false;
        }
        const QStringRef text = s.midRef(start, i - start);
        bool ok = false;
        if (!isReal) {
            const qlonglong n = text.toLongLong(&ok);
            if (ok) {
                *out = n;
                return true;
            }
            const qulonglong u = text.toULongLong(&ok);
            if (ok) {
                *out = u;
                return true;
            }
        }
        *out = text.toDouble(&ok);
        return ok;
    }

    bool hex4(uint *out)
    {
        if (i + 4 > s.size())
            return false;
        bool ok = false;
        *out = s.midRef(i, 4).toUInt(&ok, 16);
        i += 4;
        return ok;
    }

    bool string(QString *out)
    {
        ++i; // the opening quote
        while (i < s.size()) {
            const QChar c = s.at(i++);
            if (c == QLatin1Char('"'))
                return true;
            if (c.unicode() < 0x20)
                return false;
            if (c != QLatin1Char('\\')) {
                *out += c;
                continue;
            }
            if (i >= s.size())
                return false;
            const QChar e = s.at(i++);
            switch (e.unicode()) {
            case '"': *out += QLatin1Char('"'); break;
            case '\\': *out += QLatin1Char('\\'); break;
            case '/': *out += QLatin1Char('/'); break;
            case 'b': *out += QLatin1Char('\b'); break;
            case 'f': *out += QLatin1Char('\f'); break;
            case 'n': *out += QLatin1Char('\n'); break;
            case 'r': *out += QLatin1Char('\r'); break;
            case 't': *out += QLatin1Char('\t'); break;
            case 'u': {
                uint code = 0;
                if (!hex4(&code))
                    return false;
                *out += QChar(ushort(code)); // surrogate pairs come as two escapes
                break;
            }
            default:
                return false;
            }
        }
        return false;
    }

    bool array(QVariant *out, int depth)
    {
        ++i;
        QVariantList list;
        skipSpace();
        if (i < s.size() && s.at(i) == QLatin1Char(']')) {
            ++i;
            *out = list;
            return true;
        }
        for (;;) {
            skipSpace();
            QVariant item;
            if (!value(&item, depth + 1))
                return false;
            list.append(item);
            skipSpace();
            if (i >= s.size())
                return false;
            const QChar c = s.at(i++);
            if (c == QLatin1Char(']'))
                break;
            if (c != QLatin1Char(','))
                return false;
        }
        *out = list;
        return true;
    }

    bool object(QVariant *out, int depth)
    {
        ++i;
        QVariantMap map;
        skipSpace();
        if (i < s.size() && s.at(i) == QLatin1Char('}')) {
            ++i;
            *out = map;
            return true;
        }
        for (;;) {
            skipSpace();
            QString key;
            if (i >= s.size() || s.at(i) != QLatin1Char('"') || !string(&key))
                return false;
            skipSpace();
            if (i >= s.size() || s.at(i++) != QLatin1Char(':'))
                return false;
            skipSpace();
            QVariant item;
            if (!value(&item, depth + 1))
                return false;
            map.insert(key, item);
            skipSpace();
            if (i >= s.size())
                return false;
            const QChar c = s.at(i++);
            if (c == QLatin1Char('}'))
                break;
            if (c != QLatin1Char(','))
                return false;
        }
        return special(map, out);
    }

    // {"base64": ...} is bin and {"ext": T, "base64": ...} ext, as in the tool.
    static bool special(const QVariantMap &map, QVariant *out)
    {
        const QString base64 = QStringLiteral("base64");
        const QString ext = QStringLiteral("ext");
        const bool isBin = map.size() == 1 && map.contains(base64);
        const bool isExt = map.size() == 2 && map.contains(base64) && map.contains(ext);
        if (!isBin && !isExt) {
            *out = map;
            return true;
        }
        if (map.value(base64).userType() != QMetaType::QString)
            return false;
        const auto decoded = QByteArray::fromBase64Encoding(map.value(base64).toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return false;
        if (isBin) {
            *out = *decoded;
            return true;
        }
        const QVariant type = map.value(ext);
        if (type.userType() != QMetaType::LongLong || type.toLongLong() < -128
            || type.toLongLong() > 127)
            return false;
        NanostateExt value;
        value.type = type.toInt();
        value.data = *decoded;
        *out = QVariant::fromValue(value);
        return true;
    }

    const QString &s;
    int i = 0;
};
} // namespace

QString ValueText::typeName(const QByteArray &packed)
{
    const nanostate_value v{packed.constData(), size_t(packed.size())};
    return QString::fromLatin1(nanostate_type_name(nanostate_value_type(&v)));
}

QString ValueText::preview(const QByteArray &packed, int maxChars, int maxUnpack)
{
    if (packed.size() > maxUnpack)
        return QStringLiteral("(%1, %2 bytes)").arg(typeName(packed)).arg(packed.size());
    QString error;
    const QVariant value = NanostateVariant::unpack(packed, &error);
    if (!error.isEmpty())
        return QStringLiteral("(malformed: %1)").arg(error);
    Writer writer(maxChars);
    writer.write(value);
    QString text = writer.text();
    if (text.size() > maxChars) {
        text.truncate(qMax(0, maxChars - 1));
        text += ellipsis;
    }
    return text;
}

QString ValueText::json(const QByteArray &packed)
{
    QString error;
    const QVariant value = NanostateVariant::unpack(packed, &error);
    return error.isEmpty() ? json(value) : QString();
}

QString ValueText::json(const QVariant &value)
{
    Writer writer(-1);
    writer.write(value);
    return writer.text();
}

QVariant ValueText::parse(const QString &text)
{
    QVariant value;
    Reader reader(text);
    if (reader.read(&value))
        return value;
    return text;
}
