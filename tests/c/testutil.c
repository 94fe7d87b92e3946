/* SPDX-License-Identifier: MIT */
/* testutil.c - real processes and sockets for tests, cleaned up whatever happens. */
#define _GNU_SOURCE
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 64
#define MAX_PORTS 256
#define MAX_HUB_ARGS 32
#define HUB_START_TIMEOUT_MS 5000
#define EXIT_POLL_STEP_MS 5
#define BUS_POLL_STEP_MS 50
/* Safety net for conditions that no fd signals (e.g. another process's
 * doing): poll never sleeps longer than this between checks. */
#define LOOP_POLL_CAP_MS 100

static char made_tmpdir[PATH_MAX];   /* mkdtemp'd by us, removed at exit */
static pid_t children[MAX_CHILDREN]; /* spawned and not reaped yet */
static int child_count;

/* ---- Cleanup ------------------------------------------------------------- */

static void forget_child(pid_t pid)
{
    for (int i = 0; i < child_count; i++) {
        if (children[i] == pid) {
            children[i] = children[--child_count];
            return;
        }
    }
}

/* Async-signal-safe: kill() only. */
static void kill_children(void)
{
    for (int i = 0; i < child_count; i++)
        kill(children[i], SIGKILL);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void cleanup_at_exit(void)
{
    kill_children();
    while (child_count > 0) {
        waitpid(children[0], NULL, 0);
        forget_child(children[0]);
    }
    if (made_tmpdir[0])
        nftw(made_tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup_on_signal(int sig)
{
    kill_children();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void ensure_cleanup(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    atexit(cleanup_at_exit);
    /* A timed-out suite gets SIGTERM: children in their own process groups
     * would outlive it. Leave handlers the test installed alone. */
    const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = cleanup_on_signal;
            sigemptyset(&sa.sa_mask);
            sigaction(sigs[i], &sa, NULL);
        }
    }
}

/* ---- Places ---------------------------------------------------------------- */

const char *testutil_tmpdir(void)
{
    const char *env = getenv("NANOSTATE_TEST_TMP");
    if (env && env[0])
        return env;
    if (!made_tmpdir[0]) {
        char tmpl[] = "/tmp/nanostate-test-XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("testutil: mkdtemp");
            abort();
        }
        strcpy(made_tmpdir, tmpl);
        ensure_cleanup();
    }
    return made_tmpdir;
}

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

char *testutil_tmp_path(const char *name) { return format("%s/%s", testutil_tmpdir(), name); }

char *testutil_ipc_url(const char *name) { return format("ipc://%s/%s", testutil_tmpdir(), name); }

int testutil_free_port(void)
{
    static int used[MAX_PORTS];
    static int used_count;

    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return -1;
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        int port = -1;
        if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
            getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
            port = ntohs(addr.sin_port);
        close(fd);
        if (port < 0)
            return -1;
        int seen = 0;
        for (int i = 0; i < used_count; i++)
            seen |= used[i] == port;
        if (seen)
            continue;
        if (used_count < MAX_PORTS)
            used[used_count++] = port;
        return port;
    }
    return -1;
}

char *testutil_tcp_url(void)
{
    int port = testutil_free_port();
    return port < 0 ? NULL : format("tcp://127.0.0.1:%d", port);
}

const char *testutil_bin(const char *name)
{
    static char path[PATH_MAX * 2];
    const char *bin = getenv("NANOSTATE_BIN");
    if (bin && bin[0]) {
        snprintf(path, sizeof path, "%s/%s", bin, name);
        return path;
    }
    /* Run by hand: BUILD/tests/tst_x finds BUILD/bin. */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        n = 0;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(path, sizeof path, "%s/../bin/%s", slash ? self : ".", name);
    return path;
}

char *testutil_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t size = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        size += fread(buf + size, 1, cap - size - 1, f);
        if (size < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    return buf;
}

int testutil_file_newer(void *arg)
{
    const testutil_file_wait *w = arg;
    struct stat st;
    if (stat(w->path, &st) != 0)
        return 0;
    return st.st_mtim.tv_sec > w->after.tv_sec ||
           (st.st_mtim.tv_sec == w->after.tv_sec && st.st_mtim.tv_nsec > w->after.tv_nsec);
}

int64_t testutil_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- Processes --------------------------------------------------------------- */

/* In the child between fork and exec: only async-signal-safe calls. */
static void exec_child(const char *path, const char *const argv[], int out_fd, pid_t parent)
{
    setpgid(0, 0);
    /* Die with the test process even when it is SIGKILLed. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
        dup2(null_fd, STDIN_FILENO);
    if (out_fd >= 0) {
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
    }
    /* Leak none of the test's sockets (nanomsg's, listening ones). */
    if (close_range(3, ~0U, 0) != 0) {
        long max_fd = sysconf(_SC_OPEN_MAX);
        if (max_fd < 0 || max_fd > 65536)
            max_fd = 65536;
        for (int fd = 3; fd < max_fd; fd++)
            close(fd);
    }
    execv(path, (char *const *)argv);
    static const char msg[] = "testutil: exec failed\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
        _exit(127);
    _exit(127);
}

pid_t testutil_spawn(const char *const argv[], const char *stdout_path)
{
    if (!argv || !argv[0])
        return -1;
    if (child_count == MAX_CHILDREN) {
        fprintf(stderr, "testutil: more than %d processes at once\n", MAX_CHILDREN);
        return -1;
    }
    ensure_cleanup();

    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", strchr(argv[0], '/') ? argv[0] : testutil_bin(argv[0]));
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "testutil: cannot run %s: %s\n", path, strerror(errno));
        return -1;
    }
    int out_fd = -1;
    if (stdout_path) {
        out_fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            fprintf(stderr, "testutil: cannot open %s: %s\n", stdout_path, strerror(errno));
            return -1;
        }
    }
    /* Children writing into the same log as our TAP must not split its lines,
     * and unflushed output must not be written twice. */
    fflush(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        exec_child(path, argv, out_fd, parent);
    if (out_fd >= 0)
        close(out_fd);
    if (pid < 0) {
        perror("testutil: fork");
        return -1;
    }
    setpgid(pid, pid); /* also here, so it holds before we return */
    children[child_count++] = pid;
    return pid;
}

int testutil_wait_exit(pid_t pid, int timeout_ms)
{
    int64_t deadline = testutil_now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            forget_child(pid);
            if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
            return WEXITSTATUS(status);
        }
        if (r < 0 && errno != EINTR) {
            forget_child(pid); /* not our child, or reaped elsewhere */
            return -1;
        }
        if (testutil_now_ms() >= deadline)
            return -1;
        sleep_ms(EXIT_POLL_STEP_MS);
    }
}

int testutil_stop(pid_t pid, int sig, int timeout_ms)
{
    if (pid <= 0)
        return -1;
    kill(pid, sig);
    int status = testutil_wait_exit(pid, timeout_ms);
    if (status >= 0)
        return status;
    kill(pid, SIGKILL);
    int raw;
    while (waitpid(pid, &raw, 0) < 0 && errno == EINTR)
        ;
    forget_child(pid);
    return 128 + SIGKILL;
}

/* Waits for one frame on a fresh NN_BUS socket: 0 when one came, -1 if
 * none did, -2 if `watch` (when > 0) exited meanwhile (it is reaped). */
static int bus_wait(const char *url, void *buf, size_t cap, size_t *size, int timeout_ms,
                    pid_t watch)
{
    int sock = nn_socket(AF_SP, NN_BUS);
    if (sock < 0)
        return -1;
    int step = BUS_POLL_STEP_MS;
    nn_setsockopt(sock, NN_SOL_SOCKET, NN_RCVTIMEO, &step, sizeof step);
    int rc = -1;
    if (nn_connect(sock, url) < 0) {
        nn_close(sock);
        return -1;
    }
    int64_t deadline = testutil_now_ms() + timeout_ms;
    while (testutil_now_ms() < deadline) {
        void *msg = NULL;
        int n = nn_recv(sock, &msg, NN_MSG, 0);
        if (n >= 0) {
            if (buf)
                memcpy(buf, msg, (size_t)n < cap ? (size_t)n : cap);
            if (size)
                *size = (size_t)n;
            nn_freemsg(msg);
            rc = 0;
            break;
        }
        if (errno != ETIMEDOUT && errno != EAGAIN && errno != EINTR)
            break;
        if (watch > 0 && waitpid(watch, NULL, WNOHANG) == watch) {
            forget_child(watch);
            rc = -2;
            break;
        }
    }
    nn_close(sock);
    return rc;
}

int testutil_bus_recv(const char *url, void *buf, size_t cap, size_t *size, int timeout_ms)
{
    return bus_wait(url, buf, cap, size, timeout_ms, 0);
}

pid_t testutil_start_hub(const char *url, ...)
{
    const char *argv[MAX_HUB_ARGS + 6];
    int argc = 0, has_heartbeat = 0;
    argv[argc++] = "nanostate-hub";
    argv[argc++] = "-b";
    argv[argc++] = url;

    va_list ap;
    va_start(ap, url);
    for (const char *arg; (arg = va_arg(ap, const char *));) {
        if (argc == MAX_HUB_ARGS + 3) {
            va_end(ap);
            fprintf(stderr, "testutil: more than %d hub arguments\n", MAX_HUB_ARGS);
            return -1;
        }
        if (strcmp(arg, "--heartbeat") == 0 || strncmp(arg, "--heartbeat=", 12) == 0)
            has_heartbeat = 1;
        argv[argc++] = arg;
    }
    va_end(ap);
    if (!has_heartbeat) {
        argv[argc++] = "--heartbeat";
        argv[argc++] = "100";
    }
    argv[argc] = NULL;

    pid_t pid = testutil_spawn(argv, NULL);
    if (pid < 0)
        return -1;
    int rc = bus_wait(url, NULL, 0, NULL, HUB_START_TIMEOUT_MS, pid);
    if (rc == -2) {
        fprintf(stderr, "testutil: nanostate-hub -b %s exited at start\n", url);
        return -1;
    }
    if (rc != 0) {
        fprintf(stderr, "testutil: nanostate-hub -b %s did not answer\n", url);
        testutil_stop(pid, SIGKILL, 1000);
        return -1;
    }
    return pid;
}

/* ---- Event loops --------------------------------------------------------------- */

static void add_fd(struct pollfd *fds, int *count, int fd, int timeout, int *wait)
{
    fds[*count].fd = fd; /* poll ignores a negative fd */
    fds[*count].events = POLLIN;
    fds[*count].revents = 0;
    (*count)++;
    if (timeout >= 0 && timeout < *wait)
        *wait = timeout;
}

int testutil_wait_hub_and_apps(nanostate_hub *hub, nanostate_app **apps, int n, int (*cond)(void *),
                               void *arg, int timeout_ms)
{
    struct pollfd *fds = calloc((size_t)n + 1, sizeof *fds);
    if (!fds)
        return -1;
    int64_t deadline = testutil_now_ms() + timeout_ms;
    int rc = -1;
    for (;;) {
        if (cond(arg)) {
            rc = 0;
            break;
        }
        int64_t left = deadline - testutil_now_ms();
        if (left <= 0)
            break;
        int wait = left < LOOP_POLL_CAP_MS ? (int)left : LOOP_POLL_CAP_MS;
        int count = 0;
        if (hub)
            add_fd(fds, &count, nanostate_hub_fd(hub), nanostate_hub_timeout(hub), &wait);
        for (int i = 0; i < n; i++)
            add_fd(fds, &count, nanostate_app_fd(apps[i]), nanostate_app_timeout(apps[i]), &wait);
        poll(fds, (nfds_t)count, wait);
        if (hub)
            nanostate_hub_dispatch(hub);
        for (int i = 0; i < n; i++)
            nanostate_app_dispatch(apps[i]);
    }
    free(fds);
    return rc;
}

int testutil_wait_apps(nanostate_app **apps, int n, int (*cond)(void *), void *arg, int timeout_ms)
{
    return testutil_wait_hub_and_apps(NULL, apps, n, cond, arg, timeout_ms);
}
