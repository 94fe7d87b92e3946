// SPDX-License-Identifier: MIT
#include "unixsignals.h"

#include <QtCore/QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace {
int pipeFds[2] = {-1, -1};
}

UnixSignals::UnixSignals(QObject *parent) : QObject(parent)
{
    if (::pipe2(pipeFds, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    notifier = new QSocketNotifier(pipeFds[0], QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, &UnixSignals::onReadable);
    struct sigaction sa = {};
    sa.sa_handler = &UnixSignals::handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

UnixSignals::~UnixSignals()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    delete notifier;
    for (int &fd : pipeFds) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void UnixSignals::handler(int signal)
{
    const unsigned char byte = static_cast<unsigned char>(signal);
    ssize_t ignored = ::write(pipeFds[1], &byte, 1);
    (void)ignored;
}

void UnixSignals::onReadable()
{
    unsigned char byte;
    while (::read(pipeFds[0], &byte, 1) == 1)
        emit terminationRequested(byte);
}
