// SPDX-License-Identifier: MIT
#ifndef MONITOROPTIONS_H
#define MONITOROPTIONS_H

#include <QtCore/QString>
#include <QtCore/QStringList>

// Options of the monitor window, apart from the hub's own (HubConfig):
//   --filter PATTERN           the filter box's text at start (StatesFilter)
//   --screenshot FILE          once the table shows --screenshot-rows states
//                              (or after --screenshot-timeout ms), save the
//                              window as a PNG, print "screenshot FILE rows N"
//                              on stdout and quit (exit 0, or 1 if the file
//                              could not be written): for tests, with
//                              QT_QPA_PLATFORM=offscreen
//   --screenshot-rows N        default 1
//   --screenshot-timeout MS    default 10000
// Each also as --option=value.
struct MonitorOptions
{
    QString filter;
    QString screenshotFile;
    int screenshotRows = 1;
    int screenshotTimeoutMs = 10000;
    bool quitAfterScreenshot = true; // off in tests that keep running

    // Removes the options above from arguments (and Qt's own "-platform NAME",
    // left for QApplication in argv) so the rest can go to HubConfig::parse().
    // False with *error (one line) on a missing or bad value.
    static bool take(QStringList *arguments, MonitorOptions *options, QString *error);
    // Their section of the manual page, for --help.
    static QString help();
};

#endif // MONITOROPTIONS_H
