/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-table URL load COUNT VALUE_BYTES
 *     sets COUNT states bench/state/NNNNNNNN (20-byte names) to VALUE_BYTES
 *     of bin each and waits until the hub accepted them all; prints seconds.
 * nanostate-bench-table URL join COUNT
 *     a new App: milliseconds from open until its replica holds COUNT states
 *     and is synced (late join).
 */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"

#include <nanostate/nanostate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nanostate-bench-table URL load COUNT VALUE_BYTES | URL join COUNT\n");
        return 2;
    }
    long count = atol(argv[3]);
    int64_t t0 = bench_now_us();
    nanostate_app *app;
    if (nanostate_app_open(&app, "bench-table", argv[1]) != 0)
        return 1;
    if (strcmp(argv[2], "load") == 0 && argc == 5) {
        size_t size = (size_t)atol(argv[4]);
        char *val = calloc(1, size);
        char name[32];
        if (nanostate_app_flush(app, 5000) != 0)
            return 1;
        t0 = bench_now_us();
        for (long i = 0; i < count; i++) {
            snprintf(name, sizeof name, "bench/state/%08ld", i);
            memcpy(val, &i, size < sizeof i ? size : sizeof i);
            nanostate_app_set_bytes(app, name, val, size);
            if (i % 256 == 255)
                nanostate_app_dispatch(app);
            while (nanostate_app_pending(app) > 4096) /* keep the hub's queue small */
                nanostate_app_wait(app, 10);
        }
        int rc = nanostate_app_flush(app, 300000);
        printf("%.3f\n", (double)(bench_now_us() - t0) / 1e6);
        free(val);
        nanostate_app_close(app);
        return rc == 0 ? 0 : 1;
    }
    if (strcmp(argv[2], "join") == 0) {
        int64_t give_up = t0 + 120000000;
        while (!(nanostate_app_is_synced(app) && nanostate_app_count(app) >= (size_t)count)) {
            nanostate_app_wait(app, 10);
            if (bench_now_us() > give_up)
                return 1;
        }
        printf("%.1f\n", (double)(bench_now_us() - t0) / 1e3);
        nanostate_app_close(app);
        return 0;
    }
    return 2;
}
