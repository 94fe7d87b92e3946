// SPDX-License-Identifier: MIT
// Runs the tst_*.qml files of this folder (Qt Quick Test) against a real hub
// process started here, with the module loaded from the build tree.
//
// QML sees two context properties:
//   hubUrl  the hub's URL (ipc://$NANOSTATE_TEST_TMP/qml-hub.sock)
//   cli     runs the nanostate CLI as a separate process, so that tests
//           prove another process's change reaches a binding:
//             cli.set(name, text) / cli.setJson(name, json) -> exit code
//             cli.get(name) -> text (undefined if there is no such state)
//             cli.getJson(name) -> {name, value, sender} (undefined if none)
//             cli.remove(name) -> exit code
//             cli.run([args...]) -> {code, out, err}
//           Its identity is cli.identity ("qml-cli").
// Environment: NANOSTATE_BIN (default BUILD/bin, found from this binary),
// NANOSTATE_TEST_TMP (default a temporary folder of its own).

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QScopedPointer>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtQml/QQmlContext>
#include <QtQml/QQmlEngine>
#include <QtQuickTest/quicktest.h>

#include <cstdio>
#include <cstdlib>

namespace {

const int cliTimeoutMs = 10000;

// BUILD/tests/qt/tst_qml -> BUILD
QString buildRoot()
{
    return QDir(QCoreApplication::applicationDirPath() + QStringLiteral("/../..")).absolutePath();
}

[[noreturn]] void bailOut(const QString &why)
{
    std::printf("Bail out! tst_qml: %s\n", qPrintable(why));
    std::fflush(stdout);
    std::exit(1);
}

} // namespace

class Cli : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString identity MEMBER m_identity CONSTANT)
public:
    Cli(QObject *parent = nullptr) : QObject(parent) { }
    void setup(const QString &program, const QString &url)
    {
        m_program = program;
        m_url = url;
    }

    Q_INVOKABLE QVariantMap run(const QStringList &args) const
    {
        QProcess p;
        p.start(m_program,
                QStringList{QStringLiteral("-c"), m_url, QStringLiteral("-i"), m_identity} + args);
        QVariantMap result;
        if (!p.waitForFinished(cliTimeoutMs)) {
            p.kill();
            p.waitForFinished(1000);
            result.insert(QStringLiteral("code"), -1);
            result.insert(QStringLiteral("err"),
                          QStringLiteral("did not finish: %1").arg(p.errorString()));
            return result;
        }
        result.insert(QStringLiteral("code"),
                      p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1);
        result.insert(QStringLiteral("out"), QString::fromUtf8(p.readAllStandardOutput()));
        result.insert(QStringLiteral("err"), QString::fromUtf8(p.readAllStandardError()));
        return result;
    }

    Q_INVOKABLE int set(const QString &name, const QString &text) const
    {
        return code(run({QStringLiteral("set"), name, text}));
    }
    Q_INVOKABLE int setJson(const QString &name, const QString &json) const
    {
        return code(run({QStringLiteral("--json"), QStringLiteral("set"), name, json}));
    }
    Q_INVOKABLE int remove(const QString &name) const
    {
        return code(run({QStringLiteral("del"), name}));
    }
    Q_INVOKABLE QVariant get(const QString &name) const
    {
        const QVariantMap r = run({QStringLiteral("get"), name});
        if (code(r) != 0)
            return QVariant();
        QString out = r.value(QStringLiteral("out")).toString();
        if (out.endsWith(QLatin1Char('\n')))
            out.chop(1);
        return out;
    }
    Q_INVOKABLE QVariant getJson(const QString &name) const
    {
        const QVariantMap r = run({QStringLiteral("--json"), QStringLiteral("get"), name});
        if (code(r) != 0)
            return QVariant();
        return QJsonDocument::fromJson(r.value(QStringLiteral("out")).toString().toUtf8())
                .toVariant();
    }

private:
    static int code(const QVariantMap &result)
    {
        if (result.value(QStringLiteral("code")).toInt() != 0)
            qWarning("nanostate CLI: %s",
                     qPrintable(result.value(QStringLiteral("err")).toString()));
        return result.value(QStringLiteral("code")).toInt();
    }

    QString m_program;
    QString m_url;
    QString m_identity = QStringLiteral("qml-cli");
};

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    // Once, before the first test file: the hub.
    void applicationAvailable()
    {
        QString bin = qEnvironmentVariable("NANOSTATE_BIN");
        if (bin.isEmpty())
            bin = buildRoot() + QStringLiteral("/bin");
        QString tmp = qEnvironmentVariable("NANOSTATE_TEST_TMP");
        if (tmp.isEmpty()) {
            m_tmp.reset(new QTemporaryDir);
            if (!m_tmp->isValid())
                bailOut(QStringLiteral("cannot create a temporary folder"));
            tmp = m_tmp->path();
        }
        m_url = QStringLiteral("ipc://%1/qml-hub.sock").arg(tmp);
        const QString cli = bin + QStringLiteral("/nanostate");
        m_cli.setup(cli, m_url);

        m_hub.setProgram(bin + QStringLiteral("/nanostate-hub"));
        m_hub.setArguments({QStringLiteral("-b"), m_url, QStringLiteral("--heartbeat"),
                            QStringLiteral("100")});
        m_hub.setStandardOutputFile(QProcess::nullDevice());
        m_hub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_hub.start();
        if (!m_hub.waitForStarted(5000))
            bailOut(QStringLiteral("cannot start %1: %2")
                            .arg(m_hub.program(), m_hub.errorString()));

        // Ready once the CLI gets an answer (exit 3: no hub yet), for 10 s at most.
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const QVariantMap r = m_cli.run({QStringLiteral("--timeout"), QStringLiteral("200"),
                                             QStringLiteral("dump"), QStringLiteral("nothing")});
            const int code = r.value(QStringLiteral("code")).toInt();
            if (code == 0)
                break;
            if (m_hub.state() == QProcess::NotRunning)
                bailOut(QStringLiteral("the hub exited with status %1").arg(m_hub.exitCode()));
            if (code != 3 || clock.hasExpired(10000))
                bailOut(QStringLiteral("the hub does not answer at %1: %2")
                                .arg(m_url, r.value(QStringLiteral("err")).toString()));
            QThread::msleep(50);
        }
    }

    // Once per test file, each with an engine of its own.
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(buildRoot() + QStringLiteral("/qml")); // run in place
        engine->rootContext()->setContextProperty(QStringLiteral("hubUrl"), m_url);
        engine->rootContext()->setContextProperty(QStringLiteral("cli"), &m_cli);
    }

    // Once, after the last test file.
    void cleanupTestCase()
    {
        if (m_hub.state() == QProcess::NotRunning)
            return;
        m_hub.terminate(); // SIGTERM to its PID
        if (!m_hub.waitForFinished(5000)) {
            m_hub.kill();
            m_hub.waitForFinished(1000);
        }
    }

private:
    QProcess m_hub;
    Cli m_cli;
    QString m_url;
    QScopedPointer<QTemporaryDir> m_tmp;
};

// Sanitizer builds (CONFIG+=sanitize_nanostate): Qt's offscreen platform and
// the QQuickView of quick_test_main never free a few objects. Full stacks let
// the suppressions name them exactly. Unused in other builds.
extern "C" const char *__asan_default_options()
{
    return "fast_unwind_on_malloc=0";
}
extern "C" const char *__lsan_default_suppressions()
{
    return "leak:libqoffscreen.so\nleak:QQuickView::QQuickView\n";
}

QUICK_TEST_MAIN_WITH_SETUP(tst_qml, Setup)

#include "tst_qml.moc"
