/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-fanout SYSTEM URL SUBSCRIBERS VALUE_BYTES SECONDS
 *
 * One publisher sets KEYS names round-robin as fast as it can for SECONDS;
 * SUBSCRIBERS child processes count what they receive. Afterwards each child
 * is told the publisher's final value of every name and waits (at most 2 s,
 * or 0.5 s without traffic) until its own table matches. Prints one line:
 *   SENT PER_SUB_PER_S(mean) PER_SUB_PER_S(min) AGGREGATE_PER_S FINAL_LOST
 * where FINAL_LOST counts (subscriber, name) pairs whose last value differs.
 * SYSTEM: nanostate, nanomsg, mosquitto, zmq (see common/transport.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYS 16
#define MAX_SUBS 64

typedef struct final_table {
    int64_t start_us;
    uint64_t seq[KEYS];
} final_table;

typedef struct sub_result {
    uint64_t received;
    int64_t last_us;
    int lost;
} sub_result;

typedef struct sub_state {
    uint64_t seq[KEYS];
    uint64_t received;
    int64_t last_us;
    int warm;
} sub_state;

static void on_message(void *user, const char *name, const void *val, size_t len)
{
    sub_state *s = user;
    if (strcmp(name, "bench/warm") == 0) {
        s->warm = 1;
        return;
    }
    if (strncmp(name, "bench/k", 7) != 0 || len < 8)
        return;
    int k = atoi(name + 7);
    if (k < 0 || k >= KEYS)
        return;
    memcpy(&s->seq[k], val, 8);
    s->received++;
    s->last_us = bench_now_us();
}

static int table_lost(const sub_state *s, const final_table *f)
{
    int lost = 0;
    for (int k = 0; k < KEYS; k++)
        lost += s->seq[k] != f->seq[k];
    return lost;
}

static int subscriber(const bench_transport *t, const char *url, int ready_fd, int ctl_fd, int result_fd)
{
    bench_conn *c;
    if (t->open(&c, url, "bench/", 0) != 0) {
        fprintf(stderr, "fanout: subscriber cannot open %s\n", url);
        return 1;
    }
    sub_state s = {0};
    while (!s.warm)
        t->poll(c, 100, on_message, &s);
    if (write(ready_fd, "R", 1) != 1)
        return 1;
    final_table f;
    int have_final = 0;
    int64_t final_deadline = 0;
    for (;;) {
        t->poll(c, 20, on_message, &s);
        if (!have_final) {
            struct pollfd pfd = {ctl_fd, POLLIN, 0};
            if (poll(&pfd, 1, 0) == 1) {
                if (read(ctl_fd, &f, sizeof f) != (ssize_t)sizeof f)
                    return 1;
                have_final = 1;
                final_deadline = bench_now_us() + 2000000;
            }
            continue;
        }
        int64_t now = bench_now_us();
        if (table_lost(&s, &f) == 0 || now > final_deadline || now - s.last_us > 500000)
            break;
    }
    sub_result r = {s.received, s.last_us, table_lost(&s, &f)};
    if (r.last_us < f.start_us)
        r.last_us = f.start_us;
    if (write(result_fd, &r, sizeof r) != (ssize_t)sizeof r)
        return 1;
    t->close(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: nanostate-bench-fanout SYSTEM URL SUBSCRIBERS VALUE_BYTES SECONDS\n");
        return 2;
    }
    const bench_transport *t = bench_transport_find(argv[1]);
    const char *url = argv[2];
    int subs = atoi(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    double seconds = atof(argv[5]);
    if (!t || subs < 1 || subs > MAX_SUBS || size < 8) {
        fprintf(stderr, "fanout: bad arguments (system %s built in?)\n", argv[1]);
        return 2;
    }
    int ready[2], result[2], ctl[MAX_SUBS][2];
    pid_t pids[MAX_SUBS];
    if (pipe(ready) != 0 || pipe(result) != 0)
        return 1;
    for (int i = 0; i < subs; i++) {
        if (pipe(ctl[i]) != 0)
            return 1;
        pids[i] = fork();
        if (pids[i] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the publisher */
            _exit(subscriber(t, url, ready[1], ctl[i][0], result[1]));
        }
    }
    bench_conn *c;
    if (t->open(&c, url, NULL, 0) != 0) {
        fprintf(stderr, "fanout: publisher cannot open %s\n", url);
        for (int i = 0; i < subs; i++)
            kill(pids[i], SIGTERM);
        return 1;
    }
    char *val = calloc(1, size);
    /* Warm up until every subscriber has heard the publisher (slow joiners). */
    int nready = 0;
    int64_t give_up = bench_now_us() + 15000000;
    for (uint64_t warm = 1; nready < subs; warm++) {
        memcpy(val, &warm, 8); /* a new value each time: Nanostate reports changes only */
        t->send(c, "bench/warm", val, size);
        t->poll(c, 0, NULL, NULL);
        struct pollfd pfd = {ready[0], POLLIN, 0};
        if (poll(&pfd, 1, 10) == 1) {
            char b;
            if (read(ready[0], &b, 1) == 1)
                nready++;
        }
        if (bench_now_us() > give_up) {
            fprintf(stderr, "fanout: only %d of %d subscribers ready\n", nready, subs);
            for (int i = 0; i < subs; i++)
                kill(pids[i], SIGTERM);
            return 1;
        }
    }
    final_table f = {0};
    f.start_us = bench_now_us();
    int64_t end = f.start_us + (int64_t)(seconds * 1e6);
    uint64_t seq = 0, sent = 0;
    char name[16];
    while (bench_now_us() < end) {
        for (int burst = 0; burst < 16; burst++) {
            int k = (int)(seq % KEYS);
            seq++;
            memcpy(val, &seq, 8);
            snprintf(name, sizeof name, "bench/k%02d", k);
            if (t->send(c, name, val, size) == 0) {
                f.seq[k] = seq;
                sent++;
            }
            t->poll(c, 0, NULL, NULL);
        }
    }
    t->flush(c, 5000);
    for (int i = 0; i < subs; i++)
        if (write(ctl[i][1], &f, sizeof f) != (ssize_t)sizeof f)
            return 1;
    double sum = 0, min = -1;
    int lost = 0, failed = 0;
    for (int i = 0; i < subs; i++) {
        sub_result r;
        if (read(result[0], &r, sizeof r) != (ssize_t)sizeof r) {
            failed = 1;
            break;
        }
        double secs = (double)(r.last_us - f.start_us) / 1e6;
        double rate = secs > 0 ? (double)r.received / secs : 0;
        sum += rate;
        if (min < 0 || rate < min)
            min = rate;
        lost += r.lost;
    }
    for (int i = 0; i < subs; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    t->close(c);
    free(val);
    if (failed) {
        fprintf(stderr, "fanout: a subscriber failed\n");
        return 1;
    }
    printf("%llu %.0f %.0f %.0f %d\n", (unsigned long long)sent, sum / subs, min, sum, lost);
    return 0;
}
