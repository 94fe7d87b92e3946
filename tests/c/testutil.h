/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - helpers for tests that use real processes and sockets.
 *
 * Every process started here is killed (SIGKILL) when the test process ends,
 * however it ends: at exit, on SIGTERM/SIGINT/SIGHUP (as sent by tests/run's
 * timeout), and by the kernel if the test process dies outright
 * (PR_SET_PDEATHSIG). A test that fails half-way leaks nothing.
 *
 * Waits are bounded and wait for a condition, never for a fixed time.
 * Functions returning char * return malloc'd strings the caller frees.
 * Not thread-safe; meant for single-threaded tests.
 */
#ifndef NANOSTATE_TESTUTIL_H
#define NANOSTATE_TESTUTIL_H

#include <nanostate/nanostate.h>

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* ---- Places -------------------------------------------------------------- */

/* A folder for this test's files: $NANOSTATE_TEST_TMP (set by tests/run),
 * else a folder made once with mkdtemp and removed at exit. Never NULL
 * (aborts if no folder can be made). */
const char *testutil_tmpdir(void);

/* "<tmpdir>/<name>", malloc'd. */
char *testutil_tmp_path(const char *name);

/* "ipc://<tmpdir>/<name>", malloc'd. */
char *testutil_ipc_url(const char *name);

/* A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read
 * it back, close). Never returns the same port twice in one process. -1 on
 * failure. */
int testutil_free_port(void);

/* "tcp://127.0.0.1:<free port>", malloc'd; NULL on failure. */
char *testutil_tcp_url(void);

/* Path of a built tool: "$NANOSTATE_BIN/<name>", or, when NANOSTATE_BIN is
 * unset, "<folder of this executable>/../bin/<name>". Returns a static
 * buffer that the next call overwrites: copy it to keep it. */
const char *testutil_bin(const char *name);

/* Whole content of a file, malloc'd and NUL-terminated; NULL if it cannot
 * be read. */
char *testutil_read_file(const char *path);

/* A file to be written after a given moment, e.g. a hub's state file: set
 * `after` with clock_gettime(CLOCK_REALTIME) before the write is due, then
 * wait with testutil_file_newer as the condition of testutil_wait_apps(). */
typedef struct testutil_file_wait {
    const char *path;
    struct timespec after;
} testutil_file_wait;

/* 1 when the file exists and was modified after w->after (a
 * testutil_file_wait *), else 0. */
int testutil_file_newer(void *w);

/* Monotonic clock, milliseconds. */
int64_t testutil_now_ms(void);

/* ---- Processes ------------------------------------------------------------- */

/* Starts argv (NULL-terminated) in its own process group, stdin from
 * /dev/null. argv[0] without a '/' is a built tool found with
 * testutil_bin(). stdout and stderr go to stdout_path (created or
 * truncated), or are inherited when it is NULL. The pid is remembered for
 * the cleanup at exit. Returns the pid, or -1 (with a message on stderr). */
pid_t testutil_spawn(const char *const argv[], const char *stdout_path);

/* Starts `nanostate-hub -b URL extra... [--heartbeat 100]` with its output
 * inherited; the extra arguments are strings ending with NULL. Unless the
 * caller passes --heartbeat itself, a 100 ms heartbeat is added so that the
 * readiness check below and the Apps' connection state are quick.
 * Returns once the hub answers - a plain NN_BUS socket connected to URL
 * receives a frame (a heartbeat) - or -1 if it exits or does not answer
 * within 5 s (then it is killed and reaped). */
pid_t testutil_start_hub(const char *url, ...);

/* Connects a plain (AF_SP) NN_BUS socket to url and waits up to timeout_ms
 * for one frame. 0 when one arrived (copied into buf, up to cap bytes, its
 * full size in *size; buf and size may be NULL), -1 otherwise. */
int testutil_bus_recv(const char *url, void *buf, size_t cap, size_t *size, int timeout_ms);

/* Waits up to timeout_ms for pid to exit and reaps it. Returns its exit
 * status (WEXITSTATUS, or 128 + signal number if a signal ended it), or -1
 * if it is still running then (it is left running). */
int testutil_wait_exit(pid_t pid, int timeout_ms);

/* kill(pid, sig), then waits up to timeout_ms for it to exit; if it does
 * not, SIGKILL. Reaps it and returns its exit status as testutil_wait_exit
 * does (137 = 128 + SIGKILL if it had to be killed). */
int testutil_stop(pid_t pid, int sig, int timeout_ms);

/* ---- Event loops ----------------------------------------------------------- */

/* Dispatches the n apps until cond(arg) returns non-zero (0) or timeout_ms
 * passes (-1). Blocks in poll() on the apps' fds, bounded by their
 * nanostate_app_timeout(), and dispatches every app after each wake-up.
 * cond is checked first, so an already true condition returns at once. */
int testutil_wait_apps(nanostate_app **apps, int n, int (*cond)(void *), void *arg, int timeout_ms);

/* The same with an in-process hub dispatched too (hub may be NULL, and apps
 * NULL when n is 0). */
int testutil_wait_hub_and_apps(nanostate_hub *hub, nanostate_app **apps, int n, int (*cond)(void *),
                               void *arg, int timeout_ms);

#endif
