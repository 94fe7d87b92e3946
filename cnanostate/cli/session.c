/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cli_connect(const struct cli *cli, nanostate_app **out)
{
    nanostate_app *app = NULL;
    int err = nanostate_app_create(&app, cli->identity);
    if (err == 0)
        err = nanostate_app_connect(app, cli->url);
    if (err == 0) {
        *out = app;
        return CLI_EXIT_OK;
    }
    nanostate_app_close(app);
    if (err == NANOSTATE_EURL || err == NANOSTATE_EINVAL) {
        cli_error("cannot use URL '%s': %s", cli->url, nanostate_strerror(err));
        return CLI_EXIT_USAGE;
    }
    cli_error("cannot connect to %s: %s", cli->url, nanostate_strerror(err));
    return CLI_EXIT_NO_HUB;
}

/* Says why a flush failed; returns CLI_EXIT_NO_HUB. */
static int flush_failed(const struct cli *cli, nanostate_app *app, int err)
{
    if (err != NANOSTATE_ETIMEDOUT)
        cli_error("%s: %s", cli->url, nanostate_strerror(err));
    else if (!nanostate_app_is_connected(app))
        cli_error("no hub answered at %s within %d ms", cli->url, cli->timeout_ms);
    else if (!nanostate_app_is_synced(app))
        cli_error("the hub at %s did not send its states within %d ms", cli->url, cli->timeout_ms);
    else
        cli_error("the hub at %s did not accept %zu update(s) within %d ms", cli->url,
                  nanostate_app_pending(app), cli->timeout_ms);
    return CLI_EXIT_NO_HUB;
}

int cli_flush(const struct cli *cli, nanostate_app *app)
{
    int err = nanostate_app_flush(app, cli->timeout_ms);
    return err == 0 ? CLI_EXIT_OK : flush_failed(cli, app, err);
}

int cli_flush_polling(const struct cli *cli, nanostate_app *app, const sigset_t *wait_mask)
{
    int err = cli_flush_or_stop(app, cli->timeout_ms, wait_mask);
    if (err == 0)
        return CLI_EXIT_OK;
    if (!cli_stop_requested())
        return flush_failed(cli, app, err);
    size_t pending = nanostate_app_pending(app);
    if (pending == 0)
        return CLI_EXIT_OK; /* nothing of ours is lost */
    cli_error("interrupted before the hub at %s accepted %zu update(s)", cli->url, pending);
    return CLI_EXIT_NO_HUB;
}

int cli_update_error(const char *where, const char *name, int err)
{
    const char *separator = where ? ": " : "";
    where = where ? where : "";
    if (err == NANOSTATE_ENAME)
        cli_error("%s%sinvalid state name '%s': %s", where, separator, name,
                  nanostate_strerror(err));
    else
        cli_error("%s%s%s: %s", where, separator, name, nanostate_strerror(err));
    return CLI_EXIT_USAGE;
}
