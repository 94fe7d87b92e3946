// SPDX-License-Identifier: MIT
#include "monitoroptions.h"

namespace {
// Takes the value of option `name` at arguments[*i] (as "--name=value" or
// "--name value"); false if this argument is another one.
bool optionValue(QStringList *arguments, int i, const QString &name, QString *value, bool *missing)
{
    const QString arg = arguments->at(i);
    const QString eq = name + QLatin1Char('=');
    if (arg.startsWith(eq)) {
        *value = arg.mid(eq.size());
        arguments->removeAt(i);
        return true;
    }
    if (arg != name)
        return false;
    arguments->removeAt(i);
    if (i >= arguments->size()) {
        *missing = true;
        return true;
    }
    *value = arguments->takeAt(i);
    return true;
}

bool toInt(const QString &text, int min, int *out)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < min)
        return false;
    *out = n;
    return true;
}
} // namespace

bool MonitorOptions::take(QStringList *arguments, MonitorOptions *options, QString *error)
{
    for (int i = 0; i < arguments->size();) {
        if (arguments->at(i) == QLatin1String("--"))
            break;
        if (arguments->at(i) == QLatin1String("-platform") && i + 1 < arguments->size()) {
            arguments->removeAt(i);
            arguments->removeAt(i);
            continue;
        }
        QString value;
        bool missing = false;
        QString name;
        for (const char *option : {"--filter", "--screenshot", "--screenshot-rows", "--screenshot-timeout"}) {
            if (optionValue(arguments, i, QLatin1String(option), &value, &missing)) {
                name = QLatin1String(option);
                break;
            }
        }
        if (name.isEmpty()) {
            ++i;
            continue;
        }
        if (missing) {
            *error = QStringLiteral("%1 needs a value").arg(name);
            return false;
        }
        if (name == QLatin1String("--filter")) {
            options->filter = value;
        } else if (name == QLatin1String("--screenshot")) {
            if (value.isEmpty()) {
                *error = QStringLiteral("--screenshot needs a file name");
                return false;
            }
            options->screenshotFile = value;
        } else if (name == QLatin1String("--screenshot-rows")) {
            if (!toInt(value, 0, &options->screenshotRows)) {
                *error = QStringLiteral("--screenshot-rows takes a count from 0: %1").arg(value);
                return false;
            }
        } else if (!toInt(value, 0, &options->screenshotTimeoutMs)) {
            *error = QStringLiteral("--screenshot-timeout takes milliseconds from 0: %1").arg(value);
            return false;
        }
    }
    return true;
}

QString MonitorOptions::help()
{
    return QStringLiteral(
        "MONITOR WINDOW (with a display and without --headless; command line only)\n"
        "    --filter PATTERN\n"
        "        Shows only the states matching PATTERN at start: a glob on the\n"
        "        whole name if it holds * ? or [ ('*' also matches '/':\n"
        "        'robot/*' covers 'robot/arm/angle'), else the names containing\n"
        "        it, ignoring case. The filter box can change it.\n"
        "    --screenshot FILE\n"
        "        Once the table shows --screenshot-rows states, or after\n"
        "        --screenshot-timeout, saves the window as a PNG image, prints\n"
        "        \"screenshot FILE rows N\" and exits (1 if FILE could not be\n"
        "        written). For tests: QT_QPA_PLATFORM=offscreen needs no display.\n"
        "    --screenshot-rows N\n"
        "        Default 1.\n"
        "    --screenshot-timeout MS\n"
        "        Default 10000.\n");
}
