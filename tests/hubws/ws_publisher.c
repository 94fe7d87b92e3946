/* SPDX-License-Identifier: MIT */
/*
 * ws_publisher URL FILE: the C App of tests/hubws/test_ws_faults.sh.
 *
 * Publishes each "NAME VALUE" line of FILE as a str, in order, through
 * nanomsg, and returns once the hub has accepted everything. Unlike
 * `nanostate set -l`, which conflates whatever it reads faster than the hub
 * accepts, it keeps at most MAX_PENDING updates unaccepted, so that every
 * line reaches the hub as long as a name comes back no sooner than
 * MAX_PENDING lines later. Prints "published N updates in MS ms".
 * Exit status: 0, 1 on a hub or file error, 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <nanostate/nanostate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_PENDING = 64, TIMEOUT_MS = 30000 };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatches until at most `most` updates are pending; 0, or -1 if the hub
 * takes none for TIMEOUT_MS. */
static int wait_pending(nanostate_app *app, size_t most)
{
    long long give_up = now_ms() + TIMEOUT_MS;
    size_t last = nanostate_app_pending(app);
    while (nanostate_app_pending(app) > most) {
        nanostate_app_wait(app, 10);
        if (nanostate_app_pending(app) < last) {
            last = nanostate_app_pending(app);
            give_up = now_ms() + TIMEOUT_MS;
        } else if (now_ms() > give_up) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ws_publisher URL FILE\n");
        return 2;
    }
    FILE *in = fopen(argv[2], "r");
    if (!in) {
        perror(argv[2]);
        return 1;
    }
    nanostate_app *app;
    int rc = nanostate_app_open(&app, "c-publisher", argv[1]);
    if (rc == 0)
        rc = nanostate_app_flush(app, 5000); /* connected and synced */
    if (rc != 0) {
        fprintf(stderr, "ws_publisher: %s\n", nanostate_strerror(rc));
        return 1;
    }
    long long start = now_ms();
    long count = 0;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &capacity, in)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        char *space = strchr(line, ' ');
        if (!space)
            continue;
        *space = '\0';
        rc = nanostate_app_set_strn(app, line, space + 1, (size_t)(line + len - space - 1));
        if (rc == 0 && wait_pending(app, MAX_PENDING) != 0)
            rc = NANOSTATE_ETIMEDOUT;
        if (rc != 0) {
            fprintf(stderr, "ws_publisher: %s: %s\n", line, nanostate_strerror(rc));
            status = 1;
        }
        count++;
    }
    if (status == 0 && (rc = nanostate_app_flush(app, TIMEOUT_MS)) != 0) {
        fprintf(stderr, "ws_publisher: flush: %s\n", nanostate_strerror(rc));
        status = 1;
    }
    printf("published %ld updates in %lld ms\n", count, now_ms() - start);
    free(line);
    fclose(in);
    nanostate_app_close(app);
    return status;
}
