/* SPDX-License-Identifier: MIT */
/*
 * nanostate-sensor-demo - a device that publishes simulated sensor values.
 *
 * Shows the whole App life cycle with nothing but libnanostate and poll():
 * publish states on a timer, react to a state another process sets
 * (sensors/rate_hz), and let the library's own timers run. Stop it with
 * Ctrl-C.
 *
 *   nanostate-sensor-demo [URL]          (default: $NANOSTATE_URL or
 *                                         tcp://127.0.0.1:15000)
 *   nanostate set sensors/rate_hz 2      (from anywhere: change its rate)
 */
#define _POSIX_C_SOURCE 200809L
#include <nanostate/nanostate.h>

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct sensor {
    double rate_hz; /* publications per second, settable by any App */
} sensor;

/* Another App changed something: we only care about our rate. */
static void on_update(void *user, const nanostate_update *u)
{
    sensor *s = user;
    double rate;
    if (strcmp(u->name, "sensors/rate_hz") != 0 || u->removed)
        return;
    if (nanostate_value_get_double(&u->value, &rate) == 0 && rate > 0 && rate <= 1000) {
        s->rate_hz = rate;
        printf("rate set to %g Hz by %s\n", rate, u->sender);
    } else {
        /* A string from an original App, or nonsense: parse or ignore. */
        const void *bytes;
        size_t len;
        char text[32];
        if (nanostate_value_get_bytes(&u->value, &bytes, &len) == 0 && len < sizeof text) {
            memcpy(text, bytes, len);
            text[len] = '\0';
            rate = atof(text);
            if (rate > 0 && rate <= 1000)
                s->rate_hz = rate;
        }
    }
}

static void on_connect(void *user, int connected)
{
    (void)user;
    printf("%s the hub\n", connected ? "connected to" : "lost");
    fflush(stdout);
}

static void publish(nanostate_app *app, double t)
{
    nanostate_app_set_double(app, "sensors/temperature", 21.5 + 3.0 * sin(t / 10.0));
    nanostate_app_set_double(app, "sensors/humidity", 45.0 + 10.0 * sin(t / 7.0 + 1.0));
    nanostate_app_set_double(app, "sensors/pressure", 1013.0 + 2.0 * cos(t / 13.0));
    nanostate_app_set_bool(app, "sensors/door_open", fmod(t, 20.0) > 15.0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: nanostate-sensor-demo [URL]\n"
               "Publishes sensors/temperature, humidity, pressure and door_open;\n"
               "set sensors/rate_hz from any App to change how often.\n");
        return 0;
    }
    const char *url = argc > 1 ? argv[1] : getenv(NANOSTATE_URL_ENV);
    sensor s = {5.0};
    nanostate_app *app;
    int rc = nanostate_app_open(&app, "sensor-demo", url);
    if (rc != 0) {
        fprintf(stderr, "nanostate-sensor-demo: %s\n", nanostate_strerror(rc));
        return 1;
    }
    nanostate_app_on_update(app, on_update, &s, 0);
    nanostate_app_on_connect(app, on_connect, NULL);
    nanostate_app_set_double(app, "sensors/rate_hz", s.rate_hz);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int64_t start = now_ms(), next = start;
    struct pollfd pfd = {nanostate_app_fd(app), POLLIN, 0};
    while (!stop_requested) {
        int64_t now = now_ms();
        if (now >= next) {
            publish(app, (double)(now - start) / 1000.0);
            next = now + (int64_t)(1000.0 / s.rate_hz);
        }
        /* Sleep until our next sample or the library's next timer. */
        int wait = (int)(next - now_ms());
        int lib = nanostate_app_timeout(app);
        if (lib >= 0 && lib < wait)
            wait = lib;
        poll(&pfd, 1, wait < 0 ? 0 : wait);
        nanostate_app_dispatch(app);
    }
    nanostate_app_flush(app, 500); /* let the last values reach the hub */
    nanostate_app_close(app);
    return 0;
}
