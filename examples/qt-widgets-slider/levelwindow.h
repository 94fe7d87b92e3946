// SPDX-License-Identifier: MIT
#ifndef LEVELWINDOW_H
#define LEVELWINDOW_H

#include <QtCore/QString>
#include <QtCore/QVariant>
#include <QtWidgets/QWidget>

class NanostateApp;
class QLabel;
class QSlider;

// A slider and a label that show one state, a number from 0 to 100.
// Moving the slider publishes the state; when another App changes it, the
// slider follows without publishing it back.
class LevelWindow : public QWidget
{
    Q_OBJECT

public:
    LevelWindow(NanostateApp *nanostate, const QString &name, QWidget *parent = nullptr);

    // Print every value shown ("NAME = VALUE (set by SENDER)") on stdout.
    void setPrintChanges(bool print) { m_printChanges = print; }
    // Once synced, move the slider to value (0..100; -1: don't) as a user would.
    void setMoveTo(int value) { m_moveTo = value; }

private:
    void publish(int value);
    void onSynced(bool synced);
    void onStateUpdated(const QString &name, const QVariant &value, const QString &sender);
    void onStateRemoved(const QString &name);
    void showValue(const QVariant &value, const QString &sender);
    void updateTitle();

    NanostateApp *m_nanostate;
    QString m_name;
    QSlider *m_slider;
    QLabel *m_label;
    bool m_printChanges = false;
    int m_moveTo = -1;
};

#endif // LEVELWINDOW_H
