/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-rtt SYSTEM URL_A URL_B ITERATIONS [bind]
 *
 * Round trip: A sets rtt/ping, B (a child process) answers with rtt/pong
 * carrying the same 16-byte value, A waits for it. URL_A and URL_B are where
 * A and B connect (the same for a hub or broker); with "bind", B listens on
 * URL_B and A connects to it directly (no hub). Stops after ITERATIONS or
 * 20 s, whichever comes first. A ping unanswered for 1 s is sent again and
 * counted as a stall. Prints "P50 P99 MAX ITERATIONS_DONE STALLS" (µs).
 */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"

#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct peer {
    const bench_transport *t;
    bench_conn *c;
    uint64_t seen;
} peer;

static void answer(void *user, const char *name, const void *val, size_t len)
{
    peer *p = user;
    if (strcmp(name, "rtt/ping") == 0)
        p->t->send(p->c, "rtt/pong", val, len);
}

static void pong(void *user, const char *name, const void *val, size_t len)
{
    peer *p = user;
    if (strcmp(name, "rtt/pong") == 0 && len >= 8)
        memcpy(&p->seen, val, 8);
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: nanostate-bench-rtt SYSTEM URL_A URL_B ITERATIONS [bind]\n");
        return 2;
    }
    const bench_transport *t = bench_transport_find(argv[1]);
    long n = atol(argv[4]);
    int direct = argc > 5 && strcmp(argv[5], "bind") == 0;
    if (!t || n < 1)
        return 2;
    int sync[2];
    if (pipe(sync) != 0)
        return 1;
    pid_t b = fork();
    if (b == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive A */
        peer p = {t, NULL, 0};
        if (t->open(&p.c, argv[3], "rtt/ping", direct ? BENCH_BIND : 0) != 0)
            _exit(1);
        if (write(sync[1], "R", 1) != 1)
            _exit(1);
        /* Every poll answers: a poll without the callback would consume a
         * ping that arrived meanwhile and leave A waiting for 1 s. Each
         * transport's poll sends what its callbacks queued. */
        for (;;)
            t->poll(p.c, 100, answer, &p);
    }
    char r;
    if (read(sync[0], &r, 1) != 1) {
        fprintf(stderr, "rtt: B did not start\n");
        return 1;
    }
    peer a = {t, NULL, 0};
    if (t->open(&a.c, argv[2], "rtt/pong", 0) != 0) {
        kill(b, SIGTERM);
        return 1;
    }
    uint8_t val[16] = {0};
    uint64_t seq = 1;
    /* Warm up until B answers (connections and subscriptions settle). */
    int64_t give_up = bench_now_us() + 10000000;
    for (; a.seen == 0 || seq < 100; seq++) {
        memcpy(val, &seq, 8);
        t->send(a.c, "rtt/ping", val, sizeof val);
        int64_t until = bench_now_us() + 20000;
        while (a.seen != seq && bench_now_us() < until)
            t->poll(a.c, 5, pong, &a);
        if (bench_now_us() > give_up) {
            fprintf(stderr, "rtt: no answer from B\n");
            kill(b, SIGTERM);
            waitpid(b, NULL, 0);
            return 1;
        }
    }
    int64_t *us = malloc((size_t)n * sizeof *us);
    int64_t stop_at = bench_now_us() + 20000000;
    long i = 0, stalls = 0;
    for (; i < n && bench_now_us() < stop_at; i++, seq++) {
        memcpy(val, &seq, 8);
        int64_t t0 = bench_now_us();
        t->send(a.c, "rtt/ping", val, sizeof val);
        int64_t resend = t0 + 1000000;
        while (a.seen != seq && bench_now_us() < stop_at) {
            t->poll(a.c, 100, pong, &a);
            if (bench_now_us() > resend) { /* lost: send again, with a new value */
                stalls++;
                seq++;
                memcpy(val, &seq, 8);
                t->send(a.c, "rtt/ping", val, sizeof val);
                resend = bench_now_us() + 1000000;
            }
        }
        if (a.seen != seq)
            break;
        us[i] = bench_now_us() - t0;
    }
    kill(b, SIGTERM);
    waitpid(b, NULL, 0);
    t->close(a.c);
    n = i;
    qsort(us, (size_t)n, sizeof *us, cmp);
    if (n == 0) {
        fprintf(stderr, "rtt: no round trip completed\n");
        return 1;
    }
    printf("%lld %lld %lld %ld %ld\n", (long long)us[n / 2], (long long)us[(n * 99) / 100], (long long)us[n - 1], n,
           stalls);
    free(us);
    return 0;
}
