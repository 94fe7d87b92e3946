/* SPDX-License-Identifier: MIT */
/* Mosquitto: libmosquitto client, QoS 0, topic = name, payload = value.
 *
 * The adapter runs libmosquitto's network loop itself (mosquitto.h, "Network
 * loop (for use in other event loops)"): it polls mosquitto_socket() and calls
 * mosquitto_loop_read / _write / _misc, instead of mosquitto_loop(), because
 * - mosquitto_loop also wakes for the client's internal socket pair (one
 *   byte per publish, one read per call), so its timeout is not a wait;
 * - mosquitto_loop reads, and a read outside bench_transport.poll would hand
 *   a message to no callback: only poll reads here;
 * - a publish from inside the message callback is only queued by libmosquitto
 *   (in_callback): poll writes it out as soon as the callback returns, not at
 *   the next call.
 * libmosquitto reads a packet's exact bytes from the socket and keeps none
 * buffered, so the socket's readiness says whether packets wait. The
 * publisher waits for its socket (TCP flow control) instead of queueing
 * without bound. */
#include "transport.h"

#include <mosquitto.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_conn {
    struct mosquitto *m;
    bench_recv_fn fn;
    void *user;
    int delivered;
    int subscribed;
    int in_poll; /* publishes from a message callback are written by poll */
};

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    bench_conn *c = obj;
    if (c->fn)
        c->fn(c->user, msg->topic, msg->payload, (size_t)msg->payloadlen);
    c->delivered++;
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *qos)
{
    (void)m;
    (void)mid;
    (void)n;
    (void)qos;
    ((bench_conn *)obj)->subscribed = 1;
}

/* poll(2) on the client's socket; the revents, 0 on timeout or error. */
static short wait_socket(bench_conn *c, short events, int timeout_ms)
{
    struct pollfd pfd = {mosquitto_socket(c->m), events, 0};
    if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    return pfd.revents;
}

/* Writes what libmosquitto queued, waiting up to timeout_ms in all for room:
 * 0 when all is written, 1 on timeout, -1 if the connection failed. */
static int write_queued(bench_conn *c, int timeout_ms)
{
    int64_t give_up = bench_now_us() + (int64_t)timeout_ms * 1000;
    while (mosquitto_want_write(c->m)) {
        if (mosquitto_loop_write(c->m, 1) != MOSQ_ERR_SUCCESS)
            return -1;
        if (!mosquitto_want_write(c->m))
            break;
        int64_t left_us = give_up - bench_now_us();
        if (left_us <= 0 || !(wait_socket(c, POLLOUT, (int)((left_us + 999) / 1000)) & POLLOUT))
            return 1;
    }
    return 0;
}

/* Reads every packet that waits, writing each answer the callbacks queued. */
static int read_ready(bench_conn *c)
{
    do {
        if (mosquitto_loop_read(c->m, 1) != MOSQ_ERR_SUCCESS)
            return -1;
        if (write_queued(c, 100) < 0)
            return -1;
    } while (wait_socket(c, POLLIN, 0) & (POLLIN | POLLHUP | POLLERR));
    return 0;
}

static int mq_poll(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user)
{
    c->fn = fn;
    c->user = user;
    c->delivered = 0;
    c->in_poll = 1;
    short events = POLLIN | (mosquitto_want_write(c->m) ? POLLOUT : 0);
    short ready = wait_socket(c, events, timeout_ms);
    if (ready & (POLLIN | POLLHUP | POLLERR))
        read_ready(c);
    else if (ready & POLLOUT)
        write_queued(c, 0);
    mosquitto_loop_misc(c->m); /* keepalive */
    c->in_poll = 0;
    c->fn = NULL;
    return c->delivered;
}

static int mq_open(bench_conn **out, const char *url, const char *filter, int flags)
{
    (void)flags;
    char host[128];
    int port;
    if (sscanf(url, "tcp://%127[^:]:%d", host, &port) != 2)
        return -1;
    mosquitto_lib_init();
    bench_conn *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->m = mosquitto_new(NULL, true, c);
    if (!c->m || mosquitto_connect(c->m, host, port, 60) != MOSQ_ERR_SUCCESS)
        goto fail;
    mosquitto_message_callback_set(c->m, on_message);
    mosquitto_subscribe_callback_set(c->m, on_subscribe);
    if (filter) {
        char topic[256];
        size_t fl = strlen(filter); /* "a/" -> "a/#"; anything else is one topic */
        snprintf(topic, sizeof topic, "%s%s", filter, fl == 0 || filter[fl - 1] == '/' ? "#" : "");
        if (mosquitto_subscribe(c->m, NULL, topic, 0) != MOSQ_ERR_SUCCESS)
            goto fail;
        int64_t give_up = bench_now_us() + 5000000;
        while (!c->subscribed && bench_now_us() < give_up)
            mq_poll(c, 10, NULL, NULL);
        if (!c->subscribed)
            goto fail;
    }
    *out = c;
    return 0;
fail:
    if (c->m)
        mosquitto_destroy(c->m);
    free(c);
    return -1;
}

static int mq_send(bench_conn *c, const char *name, const void *val, size_t len)
{
    if (mosquitto_publish(c->m, NULL, name, (int)len, val, 0, false) != MOSQ_ERR_SUCCESS)
        return -1;
    if (c->in_poll)
        return 0; /* queued by libmosquitto; poll writes it */
    /* libmosquitto wrote what the socket took; wait for room for the rest. */
    int rc;
    while ((rc = write_queued(c, 100)) == 1) {
    }
    return rc;
}

static void mq_flush(bench_conn *c, int timeout_ms)
{
    write_queued(c, timeout_ms);
}

static void mq_close(bench_conn *c)
{
    mosquitto_disconnect(c->m);
    mosquitto_destroy(c->m);
    free(c);
}

const bench_transport bench_transport_mosquitto = {"mosquitto", mq_open, mq_send, mq_poll, mq_flush, mq_close};
