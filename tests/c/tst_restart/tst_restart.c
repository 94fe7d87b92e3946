/* SPDX-License-Identifier: MIT */
/*
 * Hub restarts with real processes: owners re-publish what they wrote to a
 * new, empty hub; with --state-file a hub killed with SIGKILL comes back with
 * every state it accepted more than a second before; SIGTERM saves and exits 0.
 */
#define _GNU_SOURCE
#include "apptable.h"
#include "testutil.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#define WAIT_MS 5000

typedef struct group {
    nanostate_app *apps[4];
    int n;
    const char *name; /* a state every App must hold, or NULL */
    size_t count;     /* states every App must hold */
} group;

static int all_hold(void *arg)
{
    group *g = arg;
    for (int i = 0; i < g->n; i++) {
        if (!nanostate_app_is_synced(g->apps[i]) || nanostate_app_pending(g->apps[i]) ||
            nanostate_app_count(g->apps[i]) != g->count)
            return 0;
        nanostate_value v;
        if (g->name && nanostate_app_get(g->apps[i], g->name, &v, NULL) != 0)
            return 0;
    }
    return 1;
}

static void wait_hold(group *g, size_t count)
{
    g->count = count;
    if (testutil_wait_apps(g->apps, g->n, all_hold, g, WAIT_MS) != 0)
        for (int i = 0; i < g->n; i++)
            fail_msg("app %d: synced %d pending %zu count %zu (want %zu)", i,
                     nanostate_app_is_synced(g->apps[i]), nanostate_app_pending(g->apps[i]),
                     nanostate_app_count(g->apps[i]), count);
}

static void test_owners_republish_to_a_restarted_hub(void **state)
{
    (void)state;
    char *url = testutil_ipc_url("restart.sock");
    pid_t hub = testutil_start_hub(url, NULL);
    assert_true(hub > 0);
    group g = {{NULL}, 0, NULL, 0};
    assert_int_equal(nanostate_app_open(&g.apps[g.n++], "arm", url), 0);
    assert_int_equal(nanostate_app_open(&g.apps[g.n++], "panel", url), 0);
    assert_int_equal(nanostate_app_set_double(g.apps[0], "arm/angle", 12.5), 0);
    assert_int_equal(nanostate_app_set_str(g.apps[0], "arm/mode", "auto"), 0);
    assert_int_equal(nanostate_app_set_int(g.apps[1], "panel/brightness", 80), 0);
    /* arm/mode is then overwritten by the panel: the panel owns it now. */
    wait_hold(&g, 3);
    assert_int_equal(nanostate_app_set_str(g.apps[1], "arm/mode", "manual"), 0);
    wait_hold(&g, 3);

    assert_int_equal(testutil_stop(hub, SIGKILL, 2000), 128 + SIGKILL);
    int64_t restarted = testutil_now_ms();
    hub = testutil_start_hub(url, NULL);
    assert_true(hub > 0);
    /* A newcomer sees every state again, re-published by its last writer. */
    assert_int_equal(nanostate_app_open(&g.apps[g.n++], "newcomer", url), 0);
    wait_hold(&g, 3);
    printf("# table rebuilt %lld ms after the new hub started\n",
           (long long)(testutil_now_ms() - restarted));
    nanostate_value v;
    const char *sender;
    const char *s;
    size_t len;
    assert_int_equal(nanostate_app_get(g.apps[2], "arm/mode", &v, &sender), 0);
    assert_int_equal(nanostate_value_get_str(&v, &s, &len), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(s, "manual", 6);
    assert_string_equal(sender, "panel");
    assert_int_equal(nanostate_app_get(g.apps[2], "arm/angle", &v, &sender), 0);
    assert_string_equal(sender, "arm");
    assert_int_equal(nanostate_app_stat(g.apps[0], NANOSTATE_APP_STAT_HUB_RESTARTS), 1);
    for (int i = 0; i < g.n; i++)
        nanostate_app_close(g.apps[i]);
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    free(url);
}

/* The state file was written after the given moment. */
typedef struct file_wait {
    const char *path;
    struct timespec after;
} file_wait;

static int file_newer(void *arg)
{
    file_wait *w = arg;
    struct stat st;
    if (stat(w->path, &st) != 0)
        return 0;
    return st.st_mtim.tv_sec > w->after.tv_sec ||
           (st.st_mtim.tv_sec == w->after.tv_sec && st.st_mtim.tv_nsec > w->after.tv_nsec);
}

static void test_state_file_survives_kill_9(void **state)
{
    (void)state;
    char *url = testutil_tcp_url();
    char *path = testutil_tmp_path("state.msgpack");
    pid_t hub = testutil_start_hub(url, "--state-file", path, NULL);
    assert_true(hub > 0);
    group g = {{NULL}, 1, NULL, 0};
    assert_int_equal(nanostate_app_open(&g.apps[0], "writer", url), 0);
    char name[32];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "kept/%d", i);
        assert_int_equal(nanostate_app_set_int(g.apps[0], name, i * 3), 0);
    }
    assert_int_equal(nanostate_app_remove(g.apps[0], "kept/99"), 0);
    wait_hold(&g, 99);
    /* Accepted now; the hub persists within a second (200 ms after a change). */
    file_wait w = {path, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &w.after);
    assert_int_equal(testutil_wait_apps(g.apps, 1, file_newer, &w, 1000), 0);
    /* The writer is gone before the crash: nobody can re-publish. */
    nanostate_app_close(g.apps[0]);
    assert_int_equal(testutil_stop(hub, SIGKILL, 2000), 128 + SIGKILL);

    hub = testutil_start_hub(url, "--state-file", path, NULL);
    assert_true(hub > 0);
    assert_int_equal(nanostate_app_open(&g.apps[0], "reader", url), 0);
    wait_hold(&g, 99);
    nanostate_value v;
    int64_t x;
    const char *sender;
    assert_int_equal(nanostate_app_get(g.apps[0], "kept/42", &v, &sender), 0);
    assert_int_equal(nanostate_value_get_int(&v, &x), 0);
    assert_int_equal(x, 126);
    assert_string_equal(sender, "writer");
    assert_int_equal(nanostate_app_get(g.apps[0], "kept/99", &v, NULL), NANOSTATE_ENOTFOUND);
    nanostate_app_close(g.apps[0]);
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    free(path);
    free(url);
}

static void test_sigterm_saves_the_state_file_and_exits_0(void **state)
{
    (void)state;
    char *url = testutil_ipc_url("term.sock");
    char *path = testutil_tmp_path("term.msgpack");
    pid_t hub = testutil_start_hub(url, "--state-file", path, NULL);
    assert_true(hub > 0);
    group g = {{NULL}, 1, NULL, 0};
    assert_int_equal(nanostate_app_open(&g.apps[0], "writer", url), 0);
    assert_int_equal(nanostate_app_set_str(g.apps[0], "last/words", "goodbye"), 0);
    wait_hold(&g, 1);
    nanostate_app_close(g.apps[0]);
    /* At once, before the delayed save: the clean exit must save. */
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    hub = testutil_start_hub(url, "--state-file", path, NULL);
    assert_true(hub > 0);
    assert_int_equal(nanostate_app_open(&g.apps[0], "reader", url), 0);
    g.name = "last/words";
    wait_hold(&g, 1);
    nanostate_app_close(g.apps[0]);
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    free(path);
    free(url);
}

static void test_corrupt_state_file_is_refused_with_a_message(void **state)
{
    (void)state;
    char *path = testutil_tmp_path("corrupt.msgpack");
    char *log = testutil_tmp_path("corrupt.log");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("this is not a state file", f);
    fclose(f);
    char *url = testutil_ipc_url("corrupt.sock");
    const char *argv[] = {"nanostate-hub", "-b", url, "--state-file", path, NULL};
    pid_t hub = testutil_spawn(argv, log);
    assert_true(hub > 0);
    assert_int_equal(testutil_wait_exit(hub, 3000), 1);
    char *text = testutil_read_file(log);
    assert_non_null(text);
    assert_non_null(strstr(text, "not a Nanostate state file"));
    free(text);
    free(url);
    free(log);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owners_republish_to_a_restarted_hub),
        cmocka_unit_test(test_state_file_survives_kill_9),
        cmocka_unit_test(test_sigterm_saves_the_state_file_and_exits_0),
        cmocka_unit_test(test_corrupt_state_file_is_refused_with_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
