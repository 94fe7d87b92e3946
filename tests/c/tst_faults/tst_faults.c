/* SPDX-License-Identifier: MIT */
/*
 * Faults with real processes over nanomsg (tcp:// and ipc://): the hub
 * killed with SIGKILL in the middle of a flood, with and without a state
 * file; an App process killed in the middle of sending; garbage at tens of
 * thousands of frames a second beside valid traffic; an App cut off from the
 * hub by a proxy that freezes or dies, then comes back.
 *
 * Every check compares tables: each App must end up holding exactly the last
 * value each owner set (model.h), and an App that joins afterwards - the
 * hub's table - too. The times each recovery took are printed as TAP
 * comments.
 *
 * `tst_faults PATTERN` runs only the tests whose name matches the glob.
 * The same executable is the helper processes: `tst_faults --flooder URL ID`
 * is an App that sets states as fast as it can until killed, `tst_faults
 * --proxy LISTEN TARGET` the proxy of proxy.h.
 */
#define _GNU_SOURCE
#include "apptable.h"
#include "garbage.h"
#include "model.h"
#include "proxy.h"
#include "rawbus.h"
#include "testutil.h"

#include <limits.h>
#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <msgpack.h>

#define WAIT_MS 5000
#define CONVERGE_MS 10000
#define HEARTBEAT_ARG "100"
#define STATS_ARG "--stats=100"

static char self_exe[PATH_MAX];

/* ---- A hub, its helpers and Apps, per test --------------------------------- */

typedef struct params {
    const char *transport; /* "tcp" or "ipc" */
    int variant;           /* what the test varies, see each test */
} params;

#define MAX_PROCS 4
#define MAX_APPS 8

typedef struct fixture {
    const params *p;
    char *url; /* the hub's */
    pid_t hub;
    pid_t procs[MAX_PROCS];
    int nprocs;
    nanostate_app *apps[MAX_APPS];
    int napps;
    int raw;
    model m;
} fixture;

static int fixture_up(void **state)
{
    static int made;
    const params *p = *state;
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->p = p;
    f->hub = -1;
    f->raw = -1;
    char name[32];
    snprintf(name, sizeof name, "faults-%d.sock", ++made);
    f->url = strcmp(p->transport, "ipc") == 0 ? testutil_ipc_url(name) : testutil_tcp_url();
    return f->url ? 0 : -1;
}

static int fixture_down(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < f->napps; i++)
        nanostate_app_close(f->apps[i]);
    rawbus_close(f->raw);
    for (int i = 0; i < f->nprocs; i++)
        if (f->procs[i] > 0)
            testutil_stop(f->procs[i], SIGKILL, 2000);
    int status = f->hub > 0 ? testutil_stop(f->hub, SIGTERM, 2000) : 0;
    free(f->url);
    free(f);
    return status == 0 ? 0 : -1;
}

static int is_ipc(const fixture *f) { return strcmp(f->p->transport, "ipc") == 0; }

/* Another URL of the test's transport, e.g. for the proxy. */
static char *second_url(const fixture *f, const char *name)
{
    return is_ipc(f) ? testutil_ipc_url(name) : testutil_tcp_url();
}

static int synced(void *app) { return nanostate_app_is_synced(app); }

static nanostate_app *new_app(fixture *f, const char *identity, const char *url)
{
    assert_true(f->napps < MAX_APPS);
    nanostate_app *app;
    assert_int_equal(nanostate_app_open(&app, identity, url), 0);
    f->apps[f->napps++] = app;
    if (testutil_wait_apps(&app, 1, synced, app, WAIT_MS) != 0)
        fail_msg("%s did not sync with the hub at %s", identity, url);
    return app;
}

/* Starts this executable in a helper mode; it is killed at teardown. */
static pid_t spawn_self(fixture *f, const char *mode, const char *a, const char *b, const char *log)
{
    assert_true(f->nprocs < MAX_PROCS);
    const char *argv[] = {self_exe, mode, a, b, NULL};
    pid_t pid = testutil_spawn(argv, log);
    assert_true(pid > 0);
    f->procs[f->nprocs++] = pid;
    return pid;
}

/* kill -9 of a helper; it is no longer the teardown's business. */
static void kill_proc(fixture *f, pid_t pid)
{
    assert_int_equal(testutil_stop(pid, SIGKILL, 2000), 128 + SIGKILL);
    for (int i = 0; i < f->nprocs; i++)
        if (f->procs[i] == pid)
            f->procs[i] = -1;
}

/* Waits for the convergence; when it does not come, prints each App's state
 * and returns -1. */
static int converge_or_report(convergence *c, int timeout_ms)
{
    if (testutil_wait_apps(c->apps, c->n, converged, c, timeout_ms) == 0)
        return 0;
    for (int i = 0; i < c->n; i++) {
        nanostate_app *a = c->apps[i];
        printf("# %s: connected %d synced %d pending %zu states %zu; frames in %llu out %llu, "
               "gaps %llu, resyncs %llu, re-sent %llu, hub restarts %llu\n",
               nanostate_app_identity(a), nanostate_app_is_connected(a), nanostate_app_is_synced(a),
               nanostate_app_pending(a), nanostate_app_count(a),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_FRAMES_IN),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_FRAMES_OUT),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_GAPS),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_RESYNCS),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_RESENDS),
               (unsigned long long)nanostate_app_stat(a, NANOSTATE_APP_STAT_HUB_RESTARTS));
    }
    return -1;
}

static void wait_converged(convergence *c, int timeout_ms, const char *when)
{
    if (converge_or_report(c, timeout_ms) != 0)
        fail_msg("%s: no convergence within %d ms: %s", when, timeout_ms, c->why);
}

/*
 * A bug of nanomsg 1.1.5 (src/aio/usock_posix.inc) this test found: a dialing endpoint
 * reuses one nn_usock for every connection it makes, and nothing resets the
 * usock's receive batch buffer (in.batch_len/in.batch_pos) when a connection
 * dies. Bytes the dead connection had delivered but nanomsg had not yet
 * parsed stay there, and the next connection's 8-byte SP header is read from
 * them: the handshake fails, the endpoint closes the connection and dials
 * again 100 ms later, and when fewer than 8 stale bytes are left the header
 * is read half from them and half from the socket, which leaves as many
 * bytes behind for the next attempt - forever. An App whose hub died while
 * frames were arriving (any flood) may then never reconnect; the connection
 * counts of its socket go up together (NN_STAT_ESTABLISHED == BROKEN).
 * libnanostate avoids it by dialing afresh (nn_shutdown + nn_connect of its
 * endpoints) every two heartbeat periods while it is disconnected (app.c,
 * redial). The check below names the bug should it come back: the hub is up
 * and a new App syncs with it at once, yet an old App stays disconnected.
 */
static void wait_reconnected(convergence *c, const char *url, const char *when)
{
    if (converge_or_report(c, CONVERGE_MS) == 0)
        return;
    int stuck = 0;
    for (int i = 0; i < c->n; i++)
        stuck += !nanostate_app_is_connected(c->apps[i]);
    nanostate_app *fresh;
    assert_int_equal(nanostate_app_open(&fresh, "fresh", url), 0);
    int fresh_synced = testutil_wait_apps(&fresh, 1, synced, fresh, WAIT_MS) == 0;
    nanostate_app_close(fresh);
    if (stuck && fresh_synced)
        fail_msg("%s: the nanomsg dialer bug is back (it re-reads bytes of the dead "
                 "connection, see tst_faults.c): %d of %d Apps never reconnected in %d ms, though a new App "
                 "syncs with the same hub at once",
                 when, stuck, c->n, CONVERGE_MS);
    fail_msg("%s: no convergence within %d ms: %s", when, CONVERGE_MS, c->why);
}

/* A figure the hub publishes with --stats ("$hub/clients/nanomsg", ...) as
 * the App sees it: 1 and *out, or 0 while it has none. */
static int hub_figure(nanostate_app *app, const char *name, uint64_t *out)
{
    nanostate_value v;
    return nanostate_app_get(app, name, &v, NULL) == 0 && nanostate_value_get_uint(&v, out) == 0;
}

typedef struct figure_wait {
    nanostate_app *app;
    const char *name;
    uint64_t want;
    uint64_t seen;
} figure_wait;

static int figure_is(void *arg)
{
    figure_wait *w = arg;
    return hub_figure(w->app, w->name, &w->seen) && w->seen == w->want;
}

static int64_t since_ms(int64_t t) { return testutil_now_ms() - t; }

/* Frames the Apps sent to the hub so far: sets conflate, so this is the
 * traffic a flood made, where the number of sets is mostly local work. */
static unsigned long long frames_out(nanostate_app **apps, int n)
{
    uint64_t frames = 0;
    for (int i = 0; i < n; i++)
        frames += nanostate_app_stat(apps[i], NANOSTATE_APP_STAT_FRAMES_OUT);
    return (unsigned long long)frames;
}

/* ---- 1. The hub killed in the middle of a flood ------------------------------ */

#define FLOOD_APPS 4
#define FLOOD_NAMES 64
#define FLOOD_PHASE_MS 300
#define RETIRED_NAMES 8
enum { WITHOUT_STATE_FILE, WITH_STATE_FILE };

static pid_t spawn_hub(const fixture *f, const char *state_file)
{
    const char *argv[8] = {"nanostate-hub", "-b", f->url, "--heartbeat", HEARTBEAT_ARG};
    if (state_file) {
        argv[5] = "--state-file";
        argv[6] = state_file;
    }
    return testutil_spawn(argv, NULL);
}

static void test_hub_killed_mid_flood(void **state)
{
    fixture *f = *state;
    int keep = f->p->variant == WITH_STATE_FILE;
    char file[32];
    snprintf(file, sizeof file, "%s-state.msgpack", f->p->transport);
    char *path = keep ? testutil_tmp_path(file) : NULL;
    f->hub = keep ? testutil_start_hub(f->url, "--state-file", path, NULL)
                  : testutil_start_hub(f->url, NULL);
    assert_true(f->hub > 0);

    writer w[FLOOD_APPS];
    nanostate_app *apps[FLOOD_APPS + 1];
    for (int i = 0; i < FLOOD_APPS; i++) {
        char id[16];
        snprintf(id, sizeof id, "w%d", i);
        apps[i] = new_app(f, id, f->url);
        assert_int_equal(model_add_writer(&f->m, &w[i], apps[i], id, FLOOD_NAMES), 0);
    }
    /* A writer that leaves before the crash: after it, only the state file
     * can bring its states back; without one they must vanish everywhere. */
    nanostate_app *retired;
    assert_int_equal(nanostate_app_open(&retired, "retired", f->url), 0);
    writer rw;
    size_t retired_first = f->m.count;
    assert_int_equal(model_add_writer(&f->m, &rw, retired, "retired", RETIRED_NAMES), 0);
    assert_int_equal(nanostate_app_flush(retired, WAIT_MS), 0);
    testutil_file_wait fw = {path, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &fw.after);
    nanostate_app_close(retired);
    convergence c = {&f->m, apps, FLOOD_APPS, NULL, ""};
    wait_converged(&c, WAIT_MS, "before the flood");
    if (keep && testutil_wait_apps(apps, FLOOD_APPS, testutil_file_newer, &fw, WAIT_MS) != 0)
        fail_msg("the hub did not write %s", path);

    unsigned long long frames0 = frames_out(apps, FLOOD_APPS);
    long before = flood_for_ms(&f->m, w, FLOOD_APPS, apps, FLOOD_APPS, FLOOD_PHASE_MS);
    unsigned long long frames1 = frames_out(apps, FLOOD_APPS);
    size_t pending = 0;
    for (int i = 0; i < FLOOD_APPS; i++)
        pending += nanostate_app_pending(apps[i]);
    assert_int_equal(testutil_stop(f->hub, SIGKILL, 2000), 128 + SIGKILL);
    f->hub = -1;
    long down = flood_for_ms(&f->m, w, FLOOD_APPS, apps, FLOOD_APPS, FLOOD_PHASE_MS);
    unsigned long long frames2 = frames_out(apps, FLOOD_APPS);
    int64_t restarted = testutil_now_ms();
    f->hub = spawn_hub(f, path);
    assert_true(f->hub > 0);
    /* The Apps go on while the new hub starts and they find it. */
    long after = flood_for_ms(&f->m, w, FLOOD_APPS, apps, FLOOD_APPS, FLOOD_PHASE_MS);
    unsigned long long frames3 = frames_out(apps, FLOOD_APPS);
    int64_t flood_end = testutil_now_ms();
    assert_true(before > 0 && down > 0 && after > 0);
    if (!keep)
        model_forget_from(&f->m, retired_first);

    wait_reconnected(&c, f->url, "after the restart");
    int64_t converged_at = testutil_now_ms();
    /* The hub holds it all: a newcomer gets exactly the same table. */
    apps[FLOOD_APPS] = new_app(f, "observer", f->url);
    convergence all = {&f->m, apps, FLOOD_APPS + 1, NULL, ""};
    wait_converged(&all, WAIT_MS, "a newcomer after the restart");
    for (int i = 0; i < FLOOD_APPS; i++)
        assert_int_equal(nanostate_app_stat(apps[i], NANOSTATE_APP_STAT_HUB_RESTARTS), 1);

    printf("# %s, %s state file: %d Apps set %ld times (%llu frames) in %d ms, kill -9 of the "
           "hub with %zu updates pending, %ld sets (%llu frames) in %d ms without a hub, restart, "
           "%ld sets (%llu frames) in %d ms more; converged %lld ms after the restart, %lld ms "
           "after the flood ended\n",
           f->p->transport, keep ? "with a" : "without", FLOOD_APPS, before, frames1 - frames0,
           FLOOD_PHASE_MS, pending, down, frames2 - frames1, FLOOD_PHASE_MS, after,
           frames3 - frames2, FLOOD_PHASE_MS, (long long)(converged_at - restarted),
           (long long)(converged_at - flood_end));
    free(path);
}

/* ---- 2. An App process killed in the middle of sending --------------------------- */

#define VICTIM "victim"
#define VICTIM_NAMES 100
#define VICTIM_UPDATES_SEEN 200 /* before the kill: it is sending */
#define EXCHANGE_NAMES 32
#define EXCHANGE_MS 300
#define FIGURE_POLL_MS 10

/* A hub publishing its figures, and two Apps writing names of their own:
 * alice (apps[0], w[0]) and bob (apps[1], w[1]). */
static void start_hub_with_pair(fixture *f, nanostate_app **apps, writer *w)
{
    f->hub = testutil_start_hub(f->url, STATS_ARG, NULL);
    assert_true(f->hub > 0);
    apps[0] = new_app(f, "alice", f->url);
    apps[1] = new_app(f, "bob", f->url);
    assert_int_equal(model_add_writer(&f->m, &w[0], apps[0], "alice", EXCHANGE_NAMES), 0);
    assert_int_equal(model_add_writer(&f->m, &w[1], apps[1], "bob", EXCHANGE_NAMES), 0);
}

static int flooder_main(const char *url, const char *id)
{
    nanostate_app *app;
    if (nanostate_app_open(&app, id, url) != 0)
        return 1;
    char name[64];
    for (uint64_t k = 1;; k++) {
        snprintf(name, sizeof name, "%s/n%03d", id, (int)(k % VICTIM_NAMES));
        if (nanostate_app_set_uint(app, name, k) != 0)
            return 1;
        if (k % 64 == 0)
            nanostate_app_wait(app, 1);
    }
}

static void count_victim(void *user, const nanostate_update *u)
{
    if (strcmp(u->sender, VICTIM) == 0)
        ++*(uint64_t *)user;
}

typedef struct victim_wait {
    uint64_t *updates;
    figure_wait clients;
} victim_wait;

static int victim_sending(void *arg)
{
    victim_wait *w = arg;
    return *w->updates >= VICTIM_UPDATES_SEEN && figure_is(&w->clients);
}

static void test_app_killed_mid_send(void **state)
{
    fixture *f = *state;
    nanostate_app *apps[3];
    writer w[2];
    start_hub_with_pair(f, apps, w);
    uint64_t victim_updates = 0;
    nanostate_app_on_update(apps[0], count_victim, &victim_updates, 0);

    char *log = testutil_tmp_path("victim.log");
    pid_t victim = spawn_self(f, "--flooder", f->url, VICTIM, log);
    victim_wait vw = {&victim_updates, {apps[0], "$hub/clients/nanomsg", 3, 0}};
    if (testutil_wait_apps(apps, 2, victim_sending, &vw, WAIT_MS) != 0)
        fail_msg("the victim is not flooding: %llu of its updates seen, %llu nanomsg clients",
                 (unsigned long long)victim_updates, (unsigned long long)vw.clients.seen);

    unsigned long long frames0 = frames_out(apps, 2);
    int64_t killed = testutil_now_ms();
    kill_proc(f, victim);
    uint64_t seen_at_kill = victim_updates;
    /* The others go on, and the hub must count the App gone: when its
     * connection closes, as it has no timeout of its own for silent Apps. */
    figure_wait gone = {apps[0], "$hub/clients/nanomsg", 2, 0};
    int64_t gone_ms = -1;
    long sets = 0;
    while (since_ms(killed) < EXCHANGE_MS || gone_ms < 0) {
        long n = flood_for_ms(&f->m, w, 2, apps, 2, FIGURE_POLL_MS);
        assert_true(n > 0);
        sets += n;
        if (gone_ms < 0 && figure_is(&gone))
            gone_ms = since_ms(killed);
        if (gone_ms < 0 && since_ms(killed) > WAIT_MS)
            fail_msg("the hub still counts %llu nanomsg clients %d ms after kill -9 of one, 2 "
                     "are left",
                     (unsigned long long)gone.seen, WAIT_MS);
    }

    convergence c = {&f->m, apps, 2, VICTIM "/", ""};
    wait_converged(&c, CONVERGE_MS, "after kill -9 of an App");
    int64_t converged_ms = since_ms(killed);
    assert_int_equal(testutil_wait_exit(f->hub, 0), -1); /* still running */

    /* The hub's table: a newcomer holds the same, the victim's last values
     * included; nothing the victim half-sent was taken for a frame. */
    apps[2] = new_app(f, "observer", f->url);
    convergence all = {&f->m, apps, 3, VICTIM "/", ""};
    wait_converged(&all, WAIT_MS, "a newcomer after kill -9 of an App");
    apptable t = apptable_collect(apps[2]);
    size_t victim_states = 0;
    for (size_t i = 0; i < t.count; i++)
        victim_states += strncmp(t.rows[i].name, VICTIM "/", strlen(VICTIM "/")) == 0;
    apptable_free(&t);
    assert_true(victim_states > 0);
    uint64_t rejected = UINT64_MAX;
    assert_true(hub_figure(apps[2], "$hub/rejected", &rejected));
    assert_int_equal(rejected, 0);

    printf("# %s: kill -9 of an App after %llu of its updates arrived; the hub counted it gone "
           "after %lld ms; the others made %ld sets (%llu frames) and converged %lld ms after "
           "the kill\n",
           f->p->transport, (unsigned long long)seen_at_kill, (long long)gone_ms, sets,
           frames_out(apps, 2) - frames0, (long long)converged_ms);
    free(log);
}

/* ---- 3. Garbage at tens of thousands of frames a second ---------------------------- */

#define GARBAGE_FRAMES 40000
/* Frames sent before the test waits for the hub to have read them all, so
 * that the kernel buffers never fill and BUS never drops one: then every
 * frame sent reaches the hub and must be counted. */
#define GARBAGE_CHUNK 128
#define GARBAGE_SEED 0xfa175eedu
#define GARBAGE_MIN_RATE 10000.0
#define RAW_SNDBUF (1024 * 1024)
#define PROBE_SENDER "prober"
#define PROBE_SESSION 0x5eed5eed5eed5eedull
#define PROBE_RETRY_MS 250
#define OP_PING_REBASE 0x17 /* PING with REBASE: accepted and answered whatever came before */
#define OP_ACK 6

/* Waits for the ACK of a PING: once it comes, the hub has handled every
 * frame sent before the PING (one pipe keeps its order). */
typedef struct probe {
    int sock;
    uint64_t aseq;
    int acked;
} probe;

static void on_probe_frame(void *arg, const void *frame, size_t size)
{
    probe *p = arg;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, frame, size, NULL) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size >= 8) {
        const msgpack_object *e = u.data.via.array.ptr;
        int uints = 1;
        for (int i = 3; i < 8; i++)
            uints &= e[i].type == MSGPACK_OBJECT_POSITIVE_INTEGER;
        if (uints && e[3].via.u64 == OP_ACK && e[4].via.u64 == PROBE_SESSION &&
            e[6].via.u64 == p->aseq)
            p->acked = 1;
    }
    msgpack_unpacked_destroy(&u);
}

static int probe_acked(void *arg) { return ((probe *)arg)->acked; }

static void send_ping(probe *p)
{
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sbuf);
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 6);
    msgpack_pack_str_with_body(&pk, PROBE_SENDER, strlen(PROBE_SENDER));
    msgpack_pack_str_with_body(&pk, "", 0);
    msgpack_pack_bin(&pk, 0);
    msgpack_pack_uint8(&pk, OP_PING_REBASE);
    msgpack_pack_uint64(&pk, PROBE_SESSION);
    msgpack_pack_uint64(&pk, ++p->aseq);
    p->acked = 0;
    assert_int_equal(rawbus_send(p->sock, sbuf.data, sbuf.size), 0);
    msgpack_sbuffer_destroy(&sbuf);
}

/* PINGs until one is answered (a PING itself may be dropped). */
static void wait_drained(probe *p, nanostate_app **apps, int n)
{
    int64_t deadline = testutil_now_ms() + WAIT_MS;
    while (testutil_now_ms() < deadline) {
        send_ping(p);
        if (rawbus_wait(p->sock, apps, n, on_probe_frame, probe_acked, p, PROBE_RETRY_MS) == 0)
            return;
    }
    fail_msg("the hub answered no PING within %d ms", WAIT_MS);
}

/* rawbus_open with a large send buffer, set before the connection exists. */
static int open_raw(const char *url)
{
    int sock = nn_socket(AF_SP, NN_BUS);
    int size = RAW_SNDBUF;
    if (sock < 0 || nn_setsockopt(sock, NN_SOL_SOCKET, NN_SNDBUF, &size, sizeof size) < 0 ||
        nn_connect(sock, url) < 0) {
        rawbus_close(sock);
        return -1;
    }
    return sock;
}

static void test_garbage_flood(void **state)
{
    fixture *f = *state;
    nanostate_app *apps[3];
    writer w[2];
    start_hub_with_pair(f, apps, w);
    f->raw = open_raw(f->url);
    assert_true(f->raw >= 0);
    assert_int_equal(rawbus_wait_connected(f->raw, WAIT_MS), 0);
    probe p = {f->raw, 0, 0};
    wait_drained(&p, apps, 2);
    figure_wait clean = {apps[0], "$hub/rejected", 0, 0};
    if (rawbus_wait(f->raw, apps, 2, NULL, figure_is, &clean, WAIT_MS) != 0)
        fail_msg("$hub/rejected is %llu before any garbage", (unsigned long long)clean.seen);

    garbage g;
    garbage_init(&g, GARBAGE_SEED);
    unsigned char frame[GARBAGE_MAX];
    long valid = 0, sent = 0;
    int64_t start = testutil_now_ms();
    while (sent < GARBAGE_FRAMES) {
        for (int i = 0; i < GARBAGE_CHUNK; i++, sent++) {
            size_t size = garbage_next(&g, frame);
            assert_int_equal(rawbus_send(f->raw, frame, size), 0);
        }
        /* Valid traffic between the chunks, on pipes of its own. */
        for (int i = 0; i < 2; i++, valid++)
            assert_int_equal(writer_step(&f->m, &w[i]), 0);
        wait_drained(&p, apps, 2);
    }
    int64_t elapsed = since_ms(start);
    double rate = (double)sent * 1000.0 / (double)(elapsed > 0 ? elapsed : 1);

    convergence c = {&f->m, apps, 2, NULL, ""};
    wait_converged(&c, CONVERGE_MS, "after the garbage");
    figure_wait counted = {apps[0], "$hub/rejected", (uint64_t)sent, 0};
    if (rawbus_wait(f->raw, apps, 2, NULL, figure_is, &counted, WAIT_MS) != 0)
        fail_msg("%ld garbage frames reached the hub, $hub/rejected says %llu", sent,
                 (unsigned long long)counted.seen);
    apps[2] = new_app(f, "observer", f->url);
    convergence all = {&f->m, apps, 3, NULL, ""};
    wait_converged(&all, WAIT_MS, "a newcomer after the garbage");

    char kinds[256] = "";
    for (int k = 0; k < GARBAGE_KINDS; k++)
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%llu %s", k ? ", " : "",
                 (unsigned long long)g.made[k], garbage_kind_name(k));
    printf("# %s: %ld garbage frames in %lld ms (%.0f/s: %s) among %ld valid sets; "
           "$hub/rejected %llu\n",
           f->p->transport, sent, (long long)elapsed, rate, kinds, valid,
           (unsigned long long)counted.seen);
    if (rate < GARBAGE_MIN_RATE)
        fail_msg("garbage went out at %.0f frames/s, below the %.0f/s this test is about", rate,
                 GARBAGE_MIN_RATE);
}

/* ---- 4. An App cut off from the hub, then back ------------------------------------- */

enum { FREEZE_LINK, KILL_LINK };
#define ISLAND "island"
#define PARTITION_NAMES 16
#define CUT_MS 300

static int disconnected(void *app) { return !nanostate_app_is_connected(app); }

static void test_partition(void **state)
{
    fixture *f = *state;
    int frozen = f->p->variant == FREEZE_LINK;
    f->hub = testutil_start_hub(f->url, STATS_ARG, NULL);
    assert_true(f->hub > 0);
    char name[32];
    snprintf(name, sizeof name, "proxy-%s.sock", frozen ? "frozen" : "killed");
    char *proxy_url = second_url(f, name);
    assert_non_null(proxy_url);
    char *log = testutil_tmp_path("proxy.log");
    pid_t proxy = spawn_self(f, "--proxy", proxy_url, f->url, log);

    nanostate_app *apps[3];
    writer w[3];
    apps[0] = new_app(f, "alice", f->url);
    apps[1] = new_app(f, "bob", f->url);
    apps[2] = new_app(f, ISLAND, proxy_url);
    assert_int_equal(model_add_writer(&f->m, &w[0], apps[0], "alice", PARTITION_NAMES), 0);
    assert_int_equal(model_add_writer(&f->m, &w[1], apps[1], "bob", PARTITION_NAMES), 0);
    assert_int_equal(model_add_writer(&f->m, &w[2], apps[2], ISLAND, PARTITION_NAMES), 0);
    convergence all = {&f->m, apps, 3, NULL, ""};
    wait_converged(&all, WAIT_MS, "before the cut");

    int64_t cut = testutil_now_ms();
    if (frozen)
        assert_int_equal(kill(proxy, SIGSTOP), 0);
    else
        kill_proc(f, proxy);
    if (testutil_wait_apps(apps, 3, disconnected, apps[2], WAIT_MS) != 0)
        fail_msg("the island still counts itself connected %d ms after the cut", WAIT_MS);
    int64_t noticed_ms = since_ms(cut);
    /* Both sides change states meanwhile; the island's wait in its pending. */
    unsigned long long frames0 = frames_out(apps, 2);
    long sets = flood_for_ms(&f->m, w, 2, apps, 3, CUT_MS);
    unsigned long long frames = frames_out(apps, 2) - frames0;
    assert_true(sets > 0);
    for (int i = 0; i < PARTITION_NAMES; i++)
        assert_int_equal(writer_step(&f->m, &w[2]), 0);
    convergence mainland = {&f->m, apps, 2, ISLAND "/", ""};
    wait_converged(&mainland, WAIT_MS, "the others during the cut");
    char why[200];
    if (nanostate_app_is_connected(apps[2]) || model_matches(&f->m, apps[2], NULL, why, sizeof why))
        fail_msg("the island was not cut off: connected %d", nanostate_app_is_connected(apps[2]));
    int64_t cut_ms = since_ms(cut);
    uint64_t clients = 0; /* what the hub makes of the island meanwhile */
    hub_figure(apps[0], "$hub/clients/nanomsg", &clients);

    int64_t restored = testutil_now_ms();
    if (frozen)
        assert_int_equal(kill(proxy, SIGCONT), 0);
    else
        spawn_self(f, "--proxy", proxy_url, f->url, log);
    wait_reconnected(&all, proxy_url, "after the link came back");
    int64_t resync_ms = since_ms(restored);

    printf("# %s, link %s: the island noticed after %lld ms and was cut for %lld ms while the "
           "others made %ld sets (%llu frames; the hub counted %llu nanomsg clients of 3); "
           "resynced to the full table %lld ms after the link came back\n",
           f->p->transport, frozen ? "frozen (SIGSTOP/SIGCONT)" : "killed and restarted",
           (long long)noticed_ms, (long long)cut_ms, sets, frames, (unsigned long long)clients,
           (long long)resync_ms);
    free(log);
    free(proxy_url);
}

/* ---- main -------------------------------------------------------------------- */

/* One test over one transport, with its variant; named "<test><label>_over_<transport>". */
// clang-format off
#define CASE(test, label, transport, variant) \
    {#test label "_over_" transport, test, fixture_up, fixture_down, \
     (void *)&(const params){transport, variant}}
// clang-format on

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--flooder") == 0)
        return flooder_main(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "--proxy") == 0)
        return proxy_main(argv[2], argv[3]);
    if (argc == 2)
        cmocka_set_test_filter(argv[1]); /* tst_faults 'test_garbage*': only those */
    if (!realpath("/proc/self/exe", self_exe)) {
        perror("tst_faults: /proc/self/exe");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        CASE(test_hub_killed_mid_flood, "_with_state_file", "tcp", WITH_STATE_FILE),
        CASE(test_hub_killed_mid_flood, "_with_state_file", "ipc", WITH_STATE_FILE),
        CASE(test_hub_killed_mid_flood, "_without_state_file", "tcp", WITHOUT_STATE_FILE),
        CASE(test_hub_killed_mid_flood, "_without_state_file", "ipc", WITHOUT_STATE_FILE),
        CASE(test_app_killed_mid_send, "", "tcp", 0),
        CASE(test_app_killed_mid_send, "", "ipc", 0),
        CASE(test_garbage_flood, "", "tcp", 0),
        CASE(test_garbage_flood, "", "ipc", 0),
        CASE(test_partition, "_link_frozen", "tcp", FREEZE_LINK),
        CASE(test_partition, "_link_frozen", "ipc", FREEZE_LINK),
        CASE(test_partition, "_link_killed", "tcp", KILL_LINK),
        CASE(test_partition, "_link_killed", "ipc", KILL_LINK),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
