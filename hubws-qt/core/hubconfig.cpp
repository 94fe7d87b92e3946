// SPDX-License-Identifier: MIT
#include "hubconfig.h"
#include "accesspolicy.h"

#include <nanostate/nanostate.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTextStream>

#include <climits>
#include <functional>

namespace {

// One option: its long name (also the config file key), short letter, and
// whether it takes a value. A repeatable option names the list it fills.
// `apply` stores a value and says what is wrong with it; `value` is empty
// for options without one.
struct Option
{
    enum Arg { NoValue, Value, OptionalValue };
    const char *name;
    char letter;
    Arg arg;
    QStringList HubConfig::*list; // repeatable: the list; else nullptr
    bool (*apply)(HubConfig *c, const QString &value, bool hasValue, QString *error);
};

bool toInt(const QString &text, qint64 min, qint64 max, qint64 *out)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok, 10);
    if (!ok || v < min || v > max)
        return false;
    *out = v;
    return true;
}

template<typename T>
bool intOption(const QString &value, qint64 min, qint64 max, T *out, QString *error,
               const char *what)
{
    qint64 v;
    if (!toInt(value, min, max, &v)) {
        *error = QString::fromLatin1(what);
        return false;
    }
    *out = T(v);
    return true;
}

// For options without a value, in the config file: yes/no and the like.
bool flagOption(const QString &value, bool hasValue, bool *out, QString *error)
{
    if (!hasValue) {
        *out = true;
        return true;
    }
    const QString v = value.trimmed().toLower();
    if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on")
        || v == QLatin1String("1")) {
        *out = true;
    } else if (v == QLatin1String("false") || v == QLatin1String("no")
               || v == QLatin1String("off") || v == QLatin1String("0")) {
        *out = false;
    } else {
        *error = QStringLiteral("takes true or false");
        return false;
    }
    return true;
}

bool textOption(const QString &value, QString *out, QString *error)
{
    if (value.isEmpty()) {
        *error = QStringLiteral("needs a value");
        return false;
    }
    *out = value;
    return true;
}

// For settings that may be off: an empty value turns them off.
bool optionalText(const QString &value, QString *out)
{
    *out = value;
    return true;
}

const Option options[] = {
    {"config", 'c', Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) { return textOption(v, &c->configFile, e); }},
    {"bind", 'b', Option::Value, &HubConfig::binds,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         if (v.isEmpty()) {
             *e = QStringLiteral("needs a URL");
             return false;
         }
         c->binds.append(v);
         return true;
     }},
    {"state-file", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *) { return optionalText(v, &c->stateFile); }},
    {"max-frame", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 1024, INT_MAX, &c->maxFrame, e, "takes a number of bytes from 1024 up");
     }},
    {"heartbeat", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 10, 3600 * 1000, &c->heartbeatMs, e,
                          "takes milliseconds from 10 to 3600000");
     }},
    {"stats", 0, Option::OptionalValue, nullptr,
     [](HubConfig *c, const QString &v, bool has, QString *e) {
         if (!has) {
             c->statsMs = 1000;
             return true;
         }
         const QString t = v.trimmed() == QLatin1String("off") ? QStringLiteral("0") : v;
         if (!intOption(t, 0, 3600 * 1000, &c->statsMs, e,
                        "takes 0 (off) or milliseconds from 10 to 3600000"))
             return false;
         if (c->statsMs > 0 && c->statsMs < 10) {
             *e = QStringLiteral("takes 0 (off) or milliseconds from 10 to 3600000");
             return false;
         }
         return true;
     }},
    {"no-batch", 0, Option::NoValue, nullptr,
     [](HubConfig *c, const QString &v, bool has, QString *e) { return flagOption(v, has, &c->noBatch, e); }},
    {"verbose", 'v', Option::NoValue, nullptr,
     [](HubConfig *c, const QString &v, bool has, QString *e) { return flagOption(v, has, &c->verbose, e); }},
    {"ws-host", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) { return textOption(v, &c->wsHost, e); }},
    {"ws-port", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 0, 65535, &c->wsPort, e, "takes a port from 0 to 65535");
     }},
    {"headless", 0, Option::NoValue, nullptr,
     [](HubConfig *c, const QString &v, bool has, QString *e) { return flagOption(v, has, &c->headless, e); }},
    {"allow-origin", 0, Option::Value, &HubConfig::allowOrigins,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         if (v.isEmpty()) {
             *e = QStringLiteral("needs an origin such as https://example.org:8443, or *");
             return false;
         }
         c->allowOrigins.append(v);
         return true;
     }},
    {"token", 0, Option::Value, &HubConfig::tokens,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         if (v.isEmpty()) // "token =" adds none, so the default asks for none
             return true;
         QByteArray secret;
         WritePolicy writes;
         if (!AccessPolicy::parseToken(v, &secret, &writes, e))
             return false;
         c->tokens.append(v);
         return true;
     }},
    {"read-only-ws", 0, Option::NoValue, nullptr,
     [](HubConfig *c, const QString &v, bool has, QString *e) {
         return flagOption(v, has, &c->readOnlyWs, e);
     }},
    {"cert", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *) { return optionalText(v, &c->certFile); }},
    {"key", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *) { return optionalText(v, &c->keyFile); }},
    {"max-clients", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 1, 1000000, &c->maxClients, e, "takes a number from 1 to 1000000");
     }},
    {"max-queue", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 4096, qint64(1) << 40, &c->maxQueue, e,
                          "takes a number of bytes from 4096 up");
     }},
    {"stall-timeout", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 100, 3600 * 1000, &c->stallTimeoutMs, e,
                          "takes milliseconds from 100 to 3600000");
     }},
    {"head-timeout", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *e) {
         return intOption(v, 100, 600 * 1000, &c->headTimeoutMs, e,
                          "takes milliseconds from 100 to 600000");
     }},
    {"web-root", 0, Option::Value, nullptr,
     [](HubConfig *c, const QString &v, bool, QString *) { return optionalText(v, &c->webRoot); }},
    {"help", 'h', Option::NoValue, nullptr, nullptr},
};

const Option *findLong(const QString &name)
{
    for (const Option &o : options) {
        if (name == QLatin1String(o.name))
            return &o;
    }
    return nullptr;
}

const Option *findShort(QChar letter)
{
    for (const Option &o : options) {
        if (o.letter && letter == QLatin1Char(o.letter))
            return &o;
    }
    return nullptr;
}

using Visit = std::function<bool(const Option &, const QString &value, bool hasValue, QString *error)>;

// Walks the command line, calling visit for every option with its value.
bool walk(const QStringList &args, const Visit &visit, QString *error)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg.startsWith(QLatin1String("--")) && arg.size() > 2) {
            const int eq = arg.indexOf(QLatin1Char('='));
            const QString name = arg.mid(2, eq < 0 ? -1 : eq - 2);
            const Option *o = findLong(name);
            if (!o) {
                *error = QStringLiteral("unknown option '--%1'").arg(name);
                return false;
            }
            QString value;
            bool hasValue = eq >= 0;
            if (hasValue)
                value = arg.mid(eq + 1);
            if (o->arg == Option::NoValue && hasValue) {
                *error = QStringLiteral("option '--%1' takes no value").arg(name);
                return false;
            }
            if (o->arg == Option::Value && !hasValue) {
                if (i + 1 >= args.size()) {
                    *error = QStringLiteral("option '--%1' needs a value").arg(name);
                    return false;
                }
                value = args.at(++i);
                hasValue = true;
            }
            QString why;
            if (!visit(*o, value, hasValue, &why)) {
                *error = QStringLiteral("--%1: %2").arg(name, why);
                return false;
            }
        } else if (arg.startsWith(QLatin1Char('-')) && arg.size() > 1 && arg != QLatin1String("--")) {
            // Short options, possibly bundled (-vh) or with an attached value (-bURL).
            for (int k = 1; k < arg.size(); ++k) {
                const Option *o = findShort(arg.at(k));
                if (!o) {
                    *error = QStringLiteral("unknown option '-%1'").arg(arg.at(k));
                    return false;
                }
                QString value;
                bool hasValue = false;
                if (o->arg == Option::Value) {
                    if (k + 1 < arg.size()) {
                        value = arg.mid(k + 1);
                    } else if (i + 1 < args.size()) {
                        value = args.at(++i);
                    } else {
                        *error = QStringLiteral("option '-%1' needs a value").arg(arg.at(k));
                        return false;
                    }
                    hasValue = true;
                    k = arg.size();
                }
                QString why;
                if (!visit(*o, value, hasValue, &why)) {
                    *error = QStringLiteral("-%1: %2").arg(QString(QLatin1Char(o->letter)), why);
                    return false;
                }
            }
        } else {
            *error = QStringLiteral("unexpected argument '%1' (endpoints are given with -b URL)")
                         .arg(arg);
            return false;
        }
    }
    return true;
}

} // namespace

HubConfig::ParseResult HubConfig::parse(const QStringList &arguments, HubConfig *config,
                                        QString *error)
{
    // Pass 1: --help and the config file, which the other options override.
    bool help = false;
    QString file;
    const bool syntaxOk = walk(
        arguments,
        [&](const Option &o, const QString &value, bool, QString *) {
            if (!o.apply)
                help = true;
            else if (qstrcmp(o.name, "config") == 0)
                file = value;
            return true;
        },
        error);
    if (help)
        return HelpRequested;
    if (!syntaxOk)
        return ParseFailed;
    if (!file.isEmpty()) {
        config->configFile = file;
        if (!readFile(file, config, error))
            return ParseFailed;
    }

    // Pass 2: the command line; a repeatable option given here replaces the
    // file's list instead of adding to it.
    QStringList replaced;
    const bool ok = walk(
        arguments,
        [&](const Option &o, const QString &value, bool hasValue, QString *why) {
            if (!o.apply || qstrcmp(o.name, "config") == 0)
                return true;
            if (o.list && !replaced.contains(QLatin1String(o.name))) {
                replaced.append(QLatin1String(o.name));
                (config->*o.list).clear();
            }
            return o.apply(config, value, hasValue, why);
        },
        error);
    if (!ok)
        return ParseFailed;
    if (config->certFile.isEmpty() != config->keyFile.isEmpty()) {
        *error = QStringLiteral("--cert and --key go together");
        return ParseFailed;
    }
    AccessPolicy tokens;
    QString why;
    if (!tokens.setTokens(config->tokens, &why)) {
        *error = QStringLiteral("--token: %1").arg(why);
        return ParseFailed;
    }
    return Parsed;
}

bool HubConfig::readFile(const QString &path, HubConfig *config, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read config file %1: %2").arg(path, f.errorString());
        return false;
    }
    QTextStream in(&f);
    in.setCodec("UTF-8");
    int lineNo = 0;
    while (!in.atEnd()) {
        const QString line = in.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const int eq = line.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? line : line.left(eq)).trimmed();
        const QString value = eq < 0 ? QString() : line.mid(eq + 1).trimmed();
        const Option *o = findLong(key);
        QString why;
        if (!o || !o->apply || qstrcmp(o->name, "config") == 0) {
            why = QStringLiteral("unknown key '%1'").arg(key);
        } else if (eq < 0) {
            why = QStringLiteral("expected '%1 = value'").arg(key);
        } else {
            o->apply(config, value, true, &why);
        }
        if (!why.isEmpty()) {
            *error = QStringLiteral("%1:%2: %3%4")
                         .arg(path)
                         .arg(lineNo)
                         .arg(o && why.at(0).isLower() ? key + QStringLiteral(": ") : QString(), why);
            return false;
        }
    }
    return true;
}

QString HubConfig::defaultWebRoot()
{
    return QDir::cleanPath(QCoreApplication::applicationDirPath()
                           + QStringLiteral("/../share/nanostate/web"));
}

QStringList HubConfig::effectiveBinds() const
{
    return binds.isEmpty() ? QStringList{QStringLiteral(NANOSTATE_DEFAULT_URL)} : binds;
}
