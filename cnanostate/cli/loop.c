/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* ppoll */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* The only mutable global: what a signal handler may touch. */
static volatile sig_atomic_t stop_signal_arrived;

static void on_stop_signal(int signal_number)
{
    (void)signal_number;
    stop_signal_arrived = 1;
}

void cli_catch_stop_signals(sigset_t *wait_mask)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, wait_mask);
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

int cli_stop_requested(void) { return stop_signal_arrived; }

/* The shorter of two waits in ms, -1 meaning "no limit". */
static int shorter_wait(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

int cli_poll(nanostate_app *app, struct pollfd *fds, nfds_t count, int max_wait_ms,
             const sigset_t *wait_mask)
{
    fds[0].fd = nanostate_app_fd(app);
    fds[0].events = POLLIN;
    for (nfds_t i = 0; i < count; i++)
        fds[i].revents = 0;

    int wait_ms = shorter_wait(nanostate_app_timeout(app), max_wait_ms);
    struct timespec timeout = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
    int ready = ppoll(fds, count, wait_ms >= 0 ? &timeout : NULL, wait_mask);
    if (ready < 0 && errno != EINTR) {
        cli_error("poll: %s", strerror(errno));
        return -1;
    }
    if (ready < 0) {
        for (nfds_t i = 0; i < count; i++)
            fds[i].revents = 0;
    }
    nanostate_app_dispatch(app);
    return 0;
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int is_flushed(const nanostate_app *app)
{
    return nanostate_app_is_synced(app) && nanostate_app_pending(app) == 0;
}

int cli_flush_or_stop(nanostate_app *app, int timeout_ms, const sigset_t *wait_mask)
{
    long long deadline = monotonic_ms() + timeout_ms;
    nanostate_app_dispatch(app);
    while (!is_flushed(app)) {
        long long remaining = deadline - monotonic_ms();
        if (cli_stop_requested() || remaining <= 0)
            return NANOSTATE_ETIMEDOUT;
        struct pollfd fds[1];
        if (cli_poll(app, fds, 1, (int)remaining, wait_mask) != 0)
            return NANOSTATE_ETRANSPORT;
    }
    return 0;
}
