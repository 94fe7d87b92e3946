/* SPDX-License-Identifier: MIT */
/*
 * tst_hub_process.c - the nanostate-hub executable as a process: it answers
 * on ipc and tcp (to a plain NN_BUS socket and to an App), refuses a busy
 * address, stops cleanly on SIGTERM and rejects unknown options.
 */
#define _GNU_SOURCE /* memmem */
#include "testutil.h"

#include <nanostate/nanostate.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define EXIT_TIMEOUT_MS 5000

/* A hub on url sends heartbeats: a plain NN_BUS socket receives one, and it
 * is one msgpack array from "$hub" (docs/PROTOCOL.md). */
static void check_heartbeats(const char *url)
{
    pid_t hub = testutil_start_hub(url, NULL);
    assert_true(hub > 0);

    unsigned char frame[4096];
    size_t size = 0;
    assert_int_equal(testutil_bus_recv(url, frame, sizeof frame, &size, 2000), 0);
    assert_true(size > 0 && size <= sizeof frame);
    assert_int_equal(nanostate_value_validate(frame, size), 0);
    nanostate_value v = {frame, size};
    assert_int_equal(nanostate_value_type(&v), NANOSTATE_TYPE_ARRAY);
    assert_non_null(memmem(frame, size, "$hub", 4));

    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
}

static void test_hub_heartbeats_on_ipc(void **state)
{
    char *url = testutil_ipc_url("hub.ipc");
    check_heartbeats(url);
    free(url);
}

static void test_hub_heartbeats_on_tcp(void **state)
{
    char *url = testutil_tcp_url();
    assert_non_null(url);
    check_heartbeats(url);
    free(url);
}

static void test_second_hub_on_same_tcp_url_exits_with_in_use(void **state)
{
    char *url = testutil_tcp_url();
    assert_non_null(url);
    pid_t first = testutil_start_hub(url, NULL);
    assert_true(first > 0);

    char *log = testutil_tmp_path("second-hub.log");
    const char *argv[] = {"nanostate-hub", "-b", url, NULL};
    pid_t second = testutil_spawn(argv, log);
    assert_true(second > 0);
    int status = testutil_wait_exit(second, EXIT_TIMEOUT_MS);
    assert_true(status > 0 && status < 128); /* exited on its own, not killed */
    char *output = testutil_read_file(log);
    assert_non_null(output);
    assert_non_null(strstr(output, "in use"));

    /* The first hub is unharmed. */
    assert_int_equal(testutil_bus_recv(url, NULL, 0, NULL, 2000), 0);
    assert_int_equal(testutil_stop(first, SIGTERM, 2000), 0);
    free(output);
    free(log);
    free(url);
}

static void test_sigterm_stops_hub_with_status_0_within_2s(void **state)
{
    char *url = testutil_tcp_url();
    assert_non_null(url);
    pid_t hub = testutil_start_hub(url, NULL);
    assert_true(hub > 0);
    int64_t start = testutil_now_ms();
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    assert_true(testutil_now_ms() - start <= 2000);
    free(url);
}

static int app_connected(void *arg) { return nanostate_app_is_connected(arg); }

static void test_app_connects_to_hub_process(void **state)
{
    char *url = testutil_ipc_url("app.ipc");
    pid_t hub = testutil_start_hub(url, NULL);
    assert_true(hub > 0);
    nanostate_app *app = NULL;
    assert_int_equal(nanostate_app_open(&app, "tst_hub_process", url), 0);
    assert_int_equal(testutil_wait_apps(&app, 1, app_connected, app, 5000), 0);
    nanostate_app_close(app);
    assert_int_equal(testutil_stop(hub, SIGTERM, 2000), 0);
    free(url);
}

static void test_unknown_option_exits_2(void **state)
{
    char *log = testutil_tmp_path("bogus-flag.log");
    const char *argv[] = {"nanostate-hub", "--bogus-flag", NULL};
    pid_t hub = testutil_spawn(argv, log);
    assert_true(hub > 0);
    assert_int_equal(testutil_wait_exit(hub, EXIT_TIMEOUT_MS), 2);
    free(log);
}

static void test_help_exits_0_and_lists_options(void **state)
{
    char *log = testutil_tmp_path("help.log");
    const char *argv[] = {"nanostate-hub", "--help", NULL};
    pid_t hub = testutil_spawn(argv, log);
    assert_true(hub > 0);
    assert_int_equal(testutil_wait_exit(hub, EXIT_TIMEOUT_MS), 0);
    char *output = testutil_read_file(log);
    assert_non_null(output);
    assert_non_null(strstr(output, "--bind"));
    assert_non_null(strstr(output, "--heartbeat"));
    free(output);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hub_heartbeats_on_ipc),
        cmocka_unit_test(test_hub_heartbeats_on_tcp),
        cmocka_unit_test(test_second_hub_on_same_tcp_url_exits_with_in_use),
        cmocka_unit_test(test_sigterm_stops_hub_with_status_0_within_2s),
        cmocka_unit_test(test_app_connects_to_hub_process),
        cmocka_unit_test(test_unknown_option_exits_2),
        cmocka_unit_test(test_help_exits_0_and_lists_options),
    };
    return cmocka_run_group_tests_name("hub_process", tests, NULL, NULL);
}
