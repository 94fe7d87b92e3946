// SPDX-License-Identifier: MIT
// nanostate-bench-qml URL COUNT: loads latency.qml offscreen, records how
// long each update of bench/t took from the publisher's set (its value is
// the publisher's CLOCK_MONOTONIC in µs) to the QML binding, prints p50/p99.
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <time.h>
#include <vector>

class Probe : public QObject
{
    Q_OBJECT
public:
    explicit Probe(int count) : m_count(count) { m_samples.reserve(size_t(count)); }

    Q_INVOKABLE void stamp(const QString &text)
    {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const qint64 now = qint64(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
        m_samples.push_back(double(now - text.toLongLong()));
        if (int(m_samples.size()) == m_count)
            QCoreApplication::quit();
    }

    void report() const
    {
        if (m_samples.empty()) {
            std::printf("no samples\n");
            return;
        }
        std::vector<double> s = m_samples;
        std::sort(s.begin(), s.end());
        auto at = [&s](double q) { return s[std::min(s.size() - 1, size_t(q * double(s.size())))]; };
        std::printf("samples %zu  p50 %.0f us  p90 %.0f us  p99 %.0f us  max %.0f us\n", s.size(),
                    at(0.5), at(0.9), at(0.99), s.back());
    }

private:
    int m_count;
    std::vector<double> m_samples;
};

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: nanostate-bench-qml URL COUNT\n");
        return 2;
    }
    Probe probe(args.at(2).toInt());
    QQmlApplicationEngine engine;
    engine.addImportPath(QDir(app.applicationDirPath()).filePath(QStringLiteral("../qml")));
    engine.rootContext()->setContextProperty(QStringLiteral("hubUrl"), args.at(1));
    engine.rootContext()->setContextProperty(QStringLiteral("probe"), &probe);
    engine.load(QUrl(QStringLiteral("qrc:/latency.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    QTimer::singleShot(60000, &app, &QCoreApplication::quit); // never hang
    app.exec();
    probe.report();
    return 0;
}

#include "main.moc"
