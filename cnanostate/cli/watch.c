/* SPDX-License-Identifier: MIT */
/* watch [-n N] [PATTERN]...: the matching states, then their changes as they
 * come, until SIGINT/SIGTERM or N lines. */
#include "cli.h"

#include <stdio.h>

struct watcher {
    const struct cli *cli;
    long printed; /* lines written so far */
    int hub_lost; /* to say when it is back */
};

static int watcher_done(const struct watcher *watcher)
{
    return watcher->cli->count > 0 && watcher->printed >= watcher->cli->count;
}

/* Flushes every line at once so that a pipe sees it live. */
static void count_line(struct watcher *watcher, int print_result)
{
    fflush(stdout);
    if (print_result == 0)
        watcher->printed++;
}

static void on_update(void *user, const nanostate_update *update)
{
    struct watcher *watcher = user;
    const struct cli *cli = watcher->cli;
    if (watcher_done(watcher) || !cli_name_matches(update->name, cli->operands, cli->operand_count))
        return;
    if (update->removed)
        count_line(watcher, cli_print_removal(cli, update->name, update->sender));
    else
        count_line(watcher, cli_print_state(cli, update->name, &update->value, update->sender));
}

static void on_connect(void *user, int connected)
{
    struct watcher *watcher = user;
    if (!connected) {
        cli_error("lost the hub at %s, reconnecting", watcher->cli->url);
        watcher->hub_lost = 1;
    } else if (watcher->hub_lost) {
        cli_error("the hub at %s is back", watcher->cli->url);
        watcher->hub_lost = 0;
    }
}

static int print_current_states(struct watcher *watcher, nanostate_app *app)
{
    const struct cli *cli = watcher->cli;
    struct cli_state_list list;
    if (cli_state_list_collect(app, cli->operands, cli->operand_count, &list) != 0)
        return -1;
    for (size_t i = 0; i < list.count && !watcher_done(watcher); i++) {
        const struct cli_state *state = &list.states[i];
        nanostate_value value = {state->packed, state->size};
        count_line(watcher, cli_print_state(cli, state->name, &value, state->sender));
    }
    cli_state_list_free(&list);
    return 0;
}

int cli_watch(const struct cli *cli)
{
    sigset_t wait_mask;
    cli_catch_stop_signals(&wait_mask);
    nanostate_app *app;
    int status = cli_connect(cli, &app);
    if (status != CLI_EXIT_OK)
        return status;
    status = cli_flush_polling(cli, app, &wait_mask);

    struct watcher watcher = {.cli = cli};
    if (status == CLI_EXIT_OK && !cli_stop_requested() && print_current_states(&watcher, app) != 0)
        status = CLI_EXIT_NOT_FOUND;
    /* Registered only now: the first flush reported nothing twice. */
    nanostate_app_on_update(app, on_update, &watcher, 0);
    nanostate_app_on_connect(app, on_connect, &watcher);
    while (status == CLI_EXIT_OK && !watcher_done(&watcher) && !cli_stop_requested()) {
        struct pollfd fds[1];
        if (cli_poll(app, fds, 1, -1, &wait_mask) != 0)
            status = CLI_EXIT_NO_HUB;
    }
    nanostate_app_close(app);
    return status;
}
