// SPDX-License-Identifier: MIT
#include "levelwindow.h"

#include <nanostateapp.h>

#include <QtCore/QSignalBlocker>
#include <QtCore/QTextStream>
#include <QtWidgets/QLabel>
#include <QtWidgets/QSlider>
#include <QtWidgets/QVBoxLayout>

#include <cmath>

LevelWindow::LevelWindow(NanostateApp *nanostate, const QString &name, QWidget *parent)
    : QWidget(parent),
      m_nanostate(nanostate),
      m_name(name),
      m_slider(new QSlider(Qt::Horizontal)),
      m_label(new QLabel)
{
    m_slider->setRange(0, 100);
    m_slider->setValue(50);
    m_slider->setEnabled(false); // until we know the hub's value
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setText(tr("%1: waiting for the hub").arg(m_name));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_slider);
    layout->addWidget(m_label);
    resize(360, 100);

    // valueChanged covers the mouse, the keyboard and setValue() alike; the
    // slider never emits it for remote changes, which are applied under a
    // QSignalBlocker (see showValue), so nothing is published back.
    connect(m_slider, &QSlider::valueChanged, this, &LevelWindow::publish);
    connect(m_nanostate, &NanostateApp::syncedChanged, this, &LevelWindow::onSynced);
    connect(m_nanostate, &NanostateApp::stateUpdated, this, &LevelWindow::onStateUpdated);
    connect(m_nanostate, &NanostateApp::stateRemoved, this, &LevelWindow::onStateRemoved);
    connect(m_nanostate, &NanostateApp::connectedChanged, this, &LevelWindow::updateTitle);
    updateTitle();
}

void LevelWindow::publish(int value)
{
    // Our own update comes straight back as stateUpdated (sender: our
    // identity), which shows it in the label.
    m_nanostate->setState(m_name, value);
}

void LevelWindow::onSynced(bool synced)
{
    if (!synced || m_slider->isEnabled())
        return;
    // We hold the hub's whole table now: show its value, or make ours the
    // first one if no App has set the state yet.
    m_slider->setEnabled(true);
    if (m_nanostate->hasState(m_name))
        showValue(m_nanostate->state(m_name), m_nanostate->stateSender(m_name));
    else
        publish(m_slider->value());
    if (m_moveTo >= 0)
        m_slider->setValue(m_moveTo); // publishes, like a drag would
}

void LevelWindow::onStateUpdated(const QString &name, const QVariant &value, const QString &sender)
{
    // Updates also arrive while syncing: wait for the whole table.
    if (name == m_name && m_slider->isEnabled())
        showValue(value, sender);
}

void LevelWindow::onStateRemoved(const QString &name)
{
    if (name == m_name)
        m_label->setText(tr("%1 was removed").arg(m_name));
}

void LevelWindow::showValue(const QVariant &value, const QString &sender)
{
    // Other Apps may send an int, a double or a string ("nanostate set"
    // sends text): take anything that reads as a number.
    bool ok = false;
    const double number = value.toDouble(&ok);
    QString text;
    if (ok && std::isfinite(number)) {
        const int level = qBound(0, int(std::lround(number)), 100);
        const QSignalBlocker blocker(m_slider); // a remote change: don't publish it back
        m_slider->setValue(level);
        text = QStringLiteral("%1 = %2 (set by %3)").arg(m_name).arg(level).arg(sender);
    } else {
        text = QStringLiteral("%1 = %2 (not a number, set by %3)")
                       .arg(m_name, value.toString(), sender);
    }
    m_label->setText(text);
    if (m_printChanges)
        QTextStream(stdout) << text << Qt::endl;
}

void LevelWindow::updateTitle()
{
    setWindowTitle(tr("Nanostate slider - %1 - %2")
                           .arg(m_name,
                                m_nanostate->isConnected() ? tr("connected") : tr("disconnected")));
}
