/* SPDX-License-Identifier: MIT */
/* Mosquitto: libmosquitto client, QoS 0, topic = name, payload = value. The
 * publisher waits for its socket (TCP flow control) instead of queueing
 * without bound. */
#include "transport.h"

#include <mosquitto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_conn {
    struct mosquitto *m;
    bench_recv_fn fn;
    void *user;
    int delivered;
    int subscribed;
    int in_poll; /* no loop calls from inside a message callback */
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
        for (int i = 0; i < 500 && !c->subscribed; i++)
            mosquitto_loop(c->m, 10, 1);
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
    while (!c->in_poll && mosquitto_want_write(c->m))
        if (mosquitto_loop(c->m, 100, 1) != MOSQ_ERR_SUCCESS)
            return -1;
    return 0;
}

static int mq_poll(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user)
{
    c->fn = fn;
    c->user = user;
    c->delivered = 0;
    c->in_poll = 1;
    mosquitto_loop(c->m, timeout_ms, 1);
    /* mosquitto_loop reads one packet per call: drain what waits. */
    int before;
    do {
        before = c->delivered;
        mosquitto_loop(c->m, 0, 1);
    } while (c->delivered != before);
    c->in_poll = 0;
    while (mosquitto_want_write(c->m)) /* answers sent from the callbacks */
        if (mosquitto_loop(c->m, 100, 1) != MOSQ_ERR_SUCCESS)
            break;
    c->fn = NULL;
    return c->delivered;
}

static void mq_flush(bench_conn *c, int timeout_ms)
{
    for (int i = 0; i < timeout_ms / 10 && mosquitto_want_write(c->m); i++)
        mosquitto_loop(c->m, 10, 1);
}

static void mq_close(bench_conn *c)
{
    mosquitto_disconnect(c->m);
    mosquitto_destroy(c->m);
    free(c);
}

const bench_transport bench_transport_mosquitto = {"mosquitto", mq_open, mq_send, mq_poll, mq_flush, mq_close};
