/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-publisher URL COUNT INTERVAL_US NAME
 *
 * Waits until some App sets bench/ready, then sets NAME COUNT times, one every
 * INTERVAL_US, each time to the current CLOCK_MONOTONIC time in microseconds,
 * so a receiver on the same machine can tell how long each update took.
 */
#define _POSIX_C_SOURCE 200809L
#include <nanostate/nanostate.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Dispatches until `until_us` (monotonic) passes. */
static void run_until(nanostate_app *app, int64_t until_us)
{
    struct pollfd pfd = {nanostate_app_fd(app), POLLIN, 0};
    for (;;) {
        int64_t left = until_us - now_us();
        if (left <= 0)
            break;
        int wait = (int)((left + 999) / 1000);
        int lib = nanostate_app_timeout(app);
        if (lib >= 0 && lib < wait)
            wait = lib;
        poll(&pfd, 1, wait);
        nanostate_app_dispatch(app);
    }
    nanostate_app_dispatch(app);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: nanostate-bench-publisher URL COUNT INTERVAL_US NAME\n");
        return 2;
    }
    const char *url = argv[1], *name = argv[4];
    long count = atol(argv[2]), interval = atol(argv[3]);
    nanostate_app *app;
    int rc = nanostate_app_open(&app, "bench-publisher", url);
    if (rc != 0) {
        fprintf(stderr, "nanostate-bench-publisher: %s\n", nanostate_strerror(rc));
        return 1;
    }
    nanostate_value v;
    int64_t give_up = now_us() + 30 * 1000000LL;
    while (nanostate_app_get(app, "bench/ready", &v, NULL) != 0) {
        if (now_us() > give_up) {
            fprintf(stderr, "nanostate-bench-publisher: nobody set bench/ready\n");
            return 1;
        }
        nanostate_app_wait(app, 100);
    }
    int64_t next = now_us();
    for (long i = 0; i < count; i++) {
        nanostate_app_set_int(app, name, now_us());
        next += interval;
        run_until(app, next);
    }
    nanostate_app_flush(app, 2000);
    nanostate_app_close(app);
    return 0;
}
