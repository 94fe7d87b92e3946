/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the parts of the nanostate command-line tool share: the parsed
 * command line, exit codes, output, connecting, the event loop and the
 * commands themselves.
 */
#ifndef NANOSTATE_CLI_CLI_H
#define NANOSTATE_CLI_CLI_H

#include <nanostate/nanostate.h>

#include <poll.h>
#include <signal.h>
#include <stddef.h>

enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_NOT_FOUND = 1, /* no such state, nothing matched, value not shown */
    CLI_EXIT_USAGE = 2,     /* bad command line or bad input */
    CLI_EXIT_NO_HUB = 3     /* no hub answered within the timeout */
};

#define CLI_DEFAULT_TIMEOUT_MS 2000

/* The parsed command line. */
struct cli {
    const char *url;      /* never NULL */
    const char *identity; /* never NULL */
    int json;             /* --json */
    int timeout_ms;       /* --timeout */
    int stdin_lines;      /* set -l */
    long count;           /* watch -n; 0: no limit */
    char **operands;      /* what follows the command and its options */
    int operand_count;
};

/* --- Commands (one file each): return an enum cli_exit ---------------- */
int cli_set(const struct cli *cli);
int cli_get(const struct cli *cli);
int cli_del(const struct cli *cli);
int cli_dump(const struct cli *cli);
int cli_watch(const struct cli *cli);

/* --- Messages (output.c) ---------------------------------------------- */
/* "nanostate: <message>\n" on stderr. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* cli_error() plus the one-line usage hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* --- Output (output.c) ------------------------------------------------ */
/* Each prints one line to stdout and returns 0, or reports on stderr why the
 * value cannot be shown (e.g. nested too deep for msgpack-c) and returns -1.
 * Default format: str and bin raw, anything else as JSON; with --json one
 * object {"name", "value", "sender"} per line. sender may be NULL. */
/* get: the value alone (or the JSON object). */
int cli_print_value(const struct cli *cli, const char *name, const nanostate_value *value,
                    const char *sender);
/* dump, watch: "NAME VALUE" (or the JSON object). */
int cli_print_state(const struct cli *cli, const char *name, const nanostate_value *value,
                    const char *sender);
/* watch: "NAME (removed)" (or {"name", "removed": true, "sender"}). */
int cli_print_removal(const struct cli *cli, const char *name, const char *sender);

/* --- Talking to the hub (session.c) ----------------------------------- */
/* Creates the App and starts connecting; 0, or an exit code after a message. */
int cli_connect(const struct cli *cli, nanostate_app **out);
/* Waits until the App is synced and the hub accepted every update, at most
 * --timeout ms; 0, or CLI_EXIT_NO_HUB after a message. */
int cli_flush(const struct cli *cli, nanostate_app *app);
/* The same for Apps driven by cli_poll(), where a stop signal ends the wait
 * too: then 0 if none of our updates is left, else CLI_EXIT_NO_HUB after a
 * message. Callers check cli_stop_requested() before going on. */
int cli_flush_polling(const struct cli *cli, nanostate_app *app, const sigset_t *wait_mask);
/* Reports a failed set/remove of name, after where (e.g. "stdin:3") unless
 * NULL; returns CLI_EXIT_USAGE. */
int cli_update_error(const char *where, const char *name, int err);

/* --- Event loop (loop.c) ---------------------------------------------- */
/* Blocks SIGINT and SIGTERM except while cli_poll() waits, so a signal can
 * only arrive there; *wait_mask gets the mask to wait with. */
void cli_catch_stop_signals(sigset_t *wait_mask);
/* 1 once SIGINT or SIGTERM arrived. */
int cli_stop_requested(void);
/* Waits for the App's fd (fds[0] is set to it) and the other fds, until the
 * App's next timer but at most max_wait_ms (-1: no limit); then dispatches
 * the App. Returns 0, or -1 with a message if polling failed. A stop signal
 * ends the wait early. */
int cli_poll(nanostate_app *app, struct pollfd *fds, nfds_t count, int max_wait_ms,
             const sigset_t *wait_mask);
/* nanostate_app_flush() that a stop signal can end: 0 once synced with
 * nothing pending, else a NANOSTATE_E* code (ETIMEDOUT also when stopped). */
int cli_flush_or_stop(nanostate_app *app, int timeout_ms, const sigset_t *wait_mask);

/* --- States (states.c) ------------------------------------------------ */
/* A copy of one state of the replica. */
struct cli_state {
    char *name;
    void *packed;
    size_t size;
    char *sender; /* may be NULL */
};

struct cli_state_list {
    struct cli_state *states;
    size_t count;
};

/* 1 if text holds glob characters (* ? [). */
int cli_is_pattern(const char *text);
/* 1 if name matches any of the fnmatch patterns (no FNM_PATHNAME: '*'
 * crosses '/'), or if there are none. */
int cli_name_matches(const char *name, char *const *patterns, int pattern_count);
/* Copies the App's states matching the patterns, sorted by name (bytewise).
 * 0, or -1 with a message when out of memory. */
int cli_state_list_collect(nanostate_app *app, char *const *patterns, int pattern_count,
                           struct cli_state_list *out);
void cli_state_list_free(struct cli_state_list *list);

#endif /* NANOSTATE_CLI_CLI_H */
