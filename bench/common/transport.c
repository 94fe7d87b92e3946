/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"

#include <string.h>
#include <time.h>

extern const bench_transport bench_transport_nanostate;
extern const bench_transport bench_transport_nanomsg;
#ifdef BENCH_HAVE_MOSQUITTO
extern const bench_transport bench_transport_mosquitto;
#endif
#ifdef BENCH_HAVE_ZMQ
extern const bench_transport bench_transport_zmq;
#endif

static const bench_transport *const transports[] = {
    &bench_transport_nanostate,
    &bench_transport_nanomsg,
#ifdef BENCH_HAVE_MOSQUITTO
    &bench_transport_mosquitto,
#endif
#ifdef BENCH_HAVE_ZMQ
    &bench_transport_zmq,
#endif
};

const bench_transport *bench_transport_find(const char *name)
{
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
        if (strcmp(transports[i]->name, name) == 0)
            return transports[i];
    return NULL;
}

int64_t bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
