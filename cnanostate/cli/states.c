/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

int cli_is_pattern(const char *text) { return strpbrk(text, "*?[") != NULL; }

int cli_name_matches(const char *name, char *const *patterns, int pattern_count)
{
    if (pattern_count == 0)
        return 1;
    for (int i = 0; i < pattern_count; i++) {
        if (fnmatch(patterns[i], name, 0) == 0)
            return 1;
    }
    return 0;
}

/* What nanostate_app_foreach() fills. */
struct collector {
    char *const *patterns;
    int pattern_count;
    struct cli_state_list *list;
    size_t capacity;
    int out_of_memory;
};

static int copy_state(struct cli_state *state, const nanostate_update *update)
{
    state->name = strdup(update->name);
    state->packed = malloc(update->value.size ? update->value.size : 1);
    state->sender = update->sender ? strdup(update->sender) : NULL;
    if (!state->name || !state->packed || (update->sender && !state->sender))
        return -1;
    memcpy(state->packed, update->value.packed, update->value.size);
    state->size = update->value.size;
    return 0;
}

static void free_state(struct cli_state *state)
{
    free(state->name);
    free(state->packed);
    free(state->sender);
}

static int grow(struct collector *collector)
{
    size_t capacity = collector->capacity ? collector->capacity * 2 : 64;
    struct cli_state *states = realloc(collector->list->states, capacity * sizeof *states);
    if (!states)
        return -1;
    collector->list->states = states;
    collector->capacity = capacity;
    return 0;
}

static void collect_one(void *user, const nanostate_update *update)
{
    struct collector *collector = user;
    struct cli_state_list *list = collector->list;
    if (collector->out_of_memory ||
        !cli_name_matches(update->name, collector->patterns, collector->pattern_count))
        return;
    if (list->count == collector->capacity && grow(collector) != 0) {
        collector->out_of_memory = 1;
        return;
    }
    struct cli_state *state = &list->states[list->count];
    memset(state, 0, sizeof *state);
    if (copy_state(state, update) != 0) {
        free_state(state);
        collector->out_of_memory = 1;
        return;
    }
    list->count++;
}

static int compare_names(const void *a, const void *b)
{
    const struct cli_state *left = a, *right = b;
    return strcmp(left->name, right->name);
}

int cli_state_list_collect(nanostate_app *app, char *const *patterns, int pattern_count,
                           struct cli_state_list *out)
{
    out->states = NULL;
    out->count = 0;
    struct collector collector = {patterns, pattern_count, out, 0, 0};
    nanostate_app_foreach(app, collect_one, &collector);
    if (collector.out_of_memory) {
        cli_state_list_free(out);
        cli_error("out of memory");
        return -1;
    }
    if (out->count > 1)
        qsort(out->states, out->count, sizeof *out->states, compare_names);
    return 0;
}

void cli_state_list_free(struct cli_state_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free_state(&list->states[i]);
    free(list->states);
    list->states = NULL;
    list->count = 0;
}
