/* SPDX-License-Identifier: MIT */
/*
 * nanostate-hub - the Nanostate hub: keeps the table of states and forwards
 * every update to every App. Runs in the foreground until SIGINT/SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <nanostate/nanostate.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BINDS 16

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *to)
{
    fputs("usage: nanostate-hub [-b|--bind URL]... [--state-file PATH] [--max-frame BYTES]\n"
          "                     [--heartbeat MS] [--stats[=MS]] [--no-batch]\n"
          "                     [--send-buffer BYTES] [-v|--verbose] [-h|--help]\n",
          to);
}

static void help(void)
{
    usage(stdout);
    fputs("\n"
          "The Nanostate hub keeps the table of states (last value, sender, version)\n"
          "and forwards every update to every connected App. Apps that join get the\n"
          "whole table, then live updates. Runs in the foreground; SIGINT or SIGTERM\n"
          "end it cleanly (the state file is saved, exit status 0).\n"
          "\n"
          "Options:\n"
          "  -b, --bind URL        endpoint to listen on: tcp://HOST:PORT, ipc://PATH or\n"
          "                        ws://HOST:PORT (nanomsg's). Repeat for several.\n"
          "                        Default: " NANOSTATE_DEFAULT_URL "\n"
          "      --state-file PATH keep the table in PATH (atomic writes, 200 ms after a\n"
          "                        change) and load it at start\n"
          "      --max-frame BYTES largest frame accepted (default 16777216); larger\n"
          "                        frames are dropped and counted\n"
          "      --heartbeat MS    heartbeat period (default 1000); Apps consider the hub\n"
          "                        gone after two periods without a frame\n"
          "      --stats[=MS]      publish the hub's figures as read-only states every MS\n"
          "                        (default 1000): $hub/clients, $hub/messages_in_per_s,\n"
          "                        $hub/messages_out_per_s, $hub/rejected, $hub/states,\n"
          "                        $hub/uptime_s; watch them with nanostate watch '$hub/*'\n"
          "      --no-batch        never pack several frames into one BATCH message (by\n"
          "                        default the hub does under load, while every connected\n"
          "                        App has said it reads batches)\n"
          "      --send-buffer BYTES what may wait for one slow App (default 1048576);\n"
          "                        beyond, frames to it are dropped and it resyncs\n"
          "  -v, --verbose         log joins, resyncs and rejected frames to stderr\n"
          "  -h, --help            this text\n"
          "\n"
          "Exit status: 0 after SIGINT/SIGTERM, 1 when an endpoint cannot be bound or the\n"
          "state file cannot be read, 2 on a usage error.\n"
          "\n"
          "Examples:\n"
          "  nanostate-hub\n"
          "  nanostate-hub -b tcp://127.0.0.1:15000 -b ipc:///tmp/nanostate.sock -v\n"
          "  nanostate-hub --state-file /var/lib/nanostate/state.msgpack\n",
          stdout);
}

static void log_line(void *user, int level, const char *msg)
{
    (void)user;
    fprintf(stderr, "nanostate-hub: %s%s\n", level ? "warning: " : "", msg);
}

static int parse_int(const char *text, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "nanostate-hub: %s\n", what);
    usage(stderr);
    fputs("Try 'nanostate-hub --help' for more.\n", stderr);
    return 2;
}

static int serve(nanostate_hub *hub)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct pollfd pfd = {nanostate_hub_fd(hub), POLLIN, 0};
    while (!stop_requested) {
        int n = poll(&pfd, 1, nanostate_hub_timeout(hub));
        if (n < 0 && errno != EINTR) {
            perror("nanostate-hub: poll");
            return 1;
        }
        nanostate_hub_dispatch(hub);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"bind", required_argument, NULL, 'b'},
        {"state-file", required_argument, NULL, 's'},
        {"max-frame", required_argument, NULL, 'm'},
        {"heartbeat", required_argument, NULL, 'H'},
        {"stats", optional_argument, NULL, 'S'},
        {"no-batch", no_argument, NULL, 'B'},
        {"send-buffer", required_argument, NULL, 'U'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *binds[MAX_BINDS];
    int nbinds = 0, verbose = 0, max_frame = 0, heartbeat = 0, stats_ms = 0, batch = 1;
    int send_buffer = 0;
    const char *state_file = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":b:vh", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (nbinds == MAX_BINDS)
                return usage_error("too many --bind options");
            binds[nbinds++] = optarg;
            break;
        case 's': state_file = optarg; break;
        case 'm':
            if (parse_int(optarg, 1024, INT_MAX, &max_frame) != 0)
                return usage_error("--max-frame takes a number of bytes from 1024 up");
            break;
        case 'H':
            if (parse_int(optarg, 10, 3600 * 1000, &heartbeat) != 0)
                return usage_error("--heartbeat takes milliseconds from 10 to 3600000");
            break;
        case 'S':
            stats_ms = 1000;
            if (optarg && parse_int(optarg, 10, 3600 * 1000, &stats_ms) != 0)
                return usage_error("--stats takes milliseconds from 10 to 3600000");
            break;
        case 'B': batch = 0; break;
        case 'U':
            if (parse_int(optarg, 1024, INT_MAX, &send_buffer) != 0)
                return usage_error("--send-buffer takes a number of bytes from 1024 up");
            break;
        case 'v': verbose = 1; break;
        case 'h': help(); return 0;
        case ':': {
            char msg[96];
            snprintf(msg, sizeof msg, "option '%s' needs a value", argv[optind - 1]);
            return usage_error(msg);
        }
        default: {
            char msg[96];
            snprintf(msg, sizeof msg, "unknown option '%s'", argv[optind - 1]);
            return usage_error(msg);
        }
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument (endpoints are given with -b URL)");
    if (nbinds == 0)
        binds[nbinds++] = NANOSTATE_DEFAULT_URL;

    nanostate_hub *hub;
    int rc = nanostate_hub_create(&hub);
    if (rc != 0) {
        fprintf(stderr, "nanostate-hub: %s\n", nanostate_strerror(rc));
        return 1;
    }
    nanostate_hub_on_log(hub, verbose ? log_line : NULL, NULL);
    if (max_frame)
        nanostate_hub_set_int_option(hub, NANOSTATE_OPT_MAX_FRAME, max_frame);
    if (heartbeat)
        nanostate_hub_set_int_option(hub, NANOSTATE_OPT_HEARTBEAT_MS, heartbeat);
    if (stats_ms)
        nanostate_hub_set_int_option(hub, NANOSTATE_OPT_STATS_MS, stats_ms);
    nanostate_hub_set_int_option(hub, NANOSTATE_OPT_BATCH, batch);
    if (send_buffer)
        nanostate_hub_set_int_option(hub, NANOSTATE_OPT_SEND_BUFFER, send_buffer);
    if (state_file) {
        nanostate_hub_set_string_option(hub, NANOSTATE_OPT_STATE_FILE, state_file);
        if (!verbose)
            nanostate_hub_on_log(hub, log_line, NULL); /* say why loading fails */
        rc = nanostate_hub_load(hub);
        if (!verbose)
            nanostate_hub_on_log(hub, NULL, NULL);
        if (rc != 0) {
            fprintf(stderr, "nanostate-hub: cannot load state file %s: %s\n", state_file,
                    nanostate_strerror(rc));
            nanostate_hub_close(hub);
            return 1;
        }
    }
    for (int i = 0; i < nbinds; i++) {
        rc = nanostate_hub_bind(hub, binds[i]);
        if (rc != 0) {
            fprintf(stderr, "nanostate-hub: cannot bind %s: %s\n", binds[i], nanostate_strerror(rc));
            nanostate_hub_close(hub);
            return 1;
        }
        if (verbose)
            fprintf(stderr, "nanostate-hub: listening on %s\n", binds[i]);
    }
    if (verbose && state_file)
        fprintf(stderr, "nanostate-hub: %zu states loaded from %s\n", nanostate_hub_count(hub),
                state_file);
    rc = serve(hub);
    if (state_file && nanostate_hub_save(hub) != 0)
        rc = 1;
    nanostate_hub_close(hub);
    return rc;
}
