/* SPDX-License-Identifier: MIT */
/*
 * transport.h - one small interface over the systems the benchmarks compare:
 * Nanostate (an App through a hub), raw nanomsg NN_BUS (through the device
 * or directly connected), Mosquitto (QoS 0) and ZeroMQ (PUB/SUB through an
 * XSUB/XPUB proxy). A message is a name and a value of bytes.
 */
#ifndef BENCH_TRANSPORT_H
#define BENCH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

/* Open flags. */
#define BENCH_BIND 1 /* listen on the URL instead of connecting (nanomsg direct) */

typedef struct bench_conn bench_conn;

/* Called for every message received; name is NUL-terminated; borrowed. */
typedef void (*bench_recv_fn)(void *user, const char *name, const void *val, size_t len);

typedef struct bench_transport {
    const char *name;
    /* url: the system's address; for zmq "XSUB_URL,XPUB_URL". filter: name
     * prefix to receive (NULL: receive nothing, "": everything); systems
     * without filters deliver everything and the caller ignores the rest. */
    int (*open)(bench_conn **out, const char *url, const char *filter, int flags);
    /* 0, or -1 if the message could not be queued (counted as not sent). */
    int (*send)(bench_conn *c, const char *name, const void *val, size_t len);
    /* Waits up to timeout_ms for messages, then delivers all that wait; the
     * number delivered. Also does the system's housekeeping (acks). */
    int (*poll)(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user);
    /* Waits until what was sent has left (Nanostate: accepted by the hub). */
    void (*flush)(bench_conn *c, int timeout_ms);
    void (*close)(bench_conn *c);
} bench_transport;

/* The transport called `name`, NULL if unknown or not built in. */
const bench_transport *bench_transport_find(const char *name);

int64_t bench_now_us(void);

#endif
