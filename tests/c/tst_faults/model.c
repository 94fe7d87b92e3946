/* SPDX-License-Identifier: MIT */
/* model.c - the expected table, the writers that flood it, and the checks. */
#include "model.h"

#include "apptable.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dispatch every so many sets: often enough that echoes keep the send
 * window open, rarely enough that the Apps flood. */
#define FLOOD_DISPATCH_EVERY 64

static size_t model_add(model *m, const char *name)
{
    if (m->count == MODEL_MAX)
        return MODEL_MAX;
    snprintf(m->name[m->count], MODEL_NAME_MAX, "%s", name);
    m->value[m->count] = 0;
    return m->count++;
}

/* Sets the name to the next value of the counter through app. */
static int model_set(model *m, size_t index, nanostate_app *app)
{
    if (index >= m->count)
        return NANOSTATE_EINVAL;
    int64_t value = ++m->counter;
    int rc = nanostate_app_set_int(app, m->name[index], value);
    if (rc == 0)
        m->value[index] = value;
    return rc;
}

void model_forget_from(model *m, size_t index)
{
    if (index < m->count)
        m->count = index;
}

int model_add_writer(model *m, writer *w, nanostate_app *app, const char *id, int names)
{
    if (m->count + (size_t)names > MODEL_MAX)
        return NANOSTATE_EINVAL;
    w->app = app;
    w->first = m->count;
    w->names = names;
    w->sets = 0;
    char name[MODEL_NAME_MAX];
    for (int i = 0; i < names; i++) {
        snprintf(name, sizeof name, "%s/n%03d", id, i);
        int rc = model_set(m, model_add(m, name), app);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int writer_step(model *m, writer *w)
{
    size_t index = w->first + (size_t)(w->sets++ % (uint64_t)w->names);
    return model_set(m, index, w->app);
}

long flood_for_ms(model *m, writer *writers, int nwriters, nanostate_app **apps, int n, int ms)
{
    int64_t end = testutil_now_ms() + ms;
    long sets = 0;
    while (testutil_now_ms() < end) {
        for (int i = 0; i < FLOOD_DISPATCH_EVERY; i++, sets++)
            if (writer_step(m, &writers[sets % nwriters]) != 0)
                return -1;
        for (int i = 0; i < n; i++)
            nanostate_app_dispatch(apps[i]);
    }
    return sets;
}

static int ignored(const char *name, const char *ignore)
{
    return name[0] == '$' || (ignore && strncmp(name, ignore, strlen(ignore)) == 0);
}

/* The App's table without the ignored names. */
static apptable user_table(nanostate_app *app, const char *ignore)
{
    apptable t = apptable_collect(app);
    size_t kept = 0;
    for (size_t i = 0; i < t.count; i++) {
        if (ignored(t.rows[i].name, ignore)) {
            free(t.rows[i].name);
            free(t.rows[i].value);
        } else {
            t.rows[kept++] = t.rows[i];
        }
    }
    t.count = kept;
    return t;
}

int model_matches(const model *m, nanostate_app *app, const char *ignore, char *why, size_t why_len)
{
    apptable t = user_table(app, ignore);
    size_t expected = 0;
    int ok = 1;
    for (size_t i = 0; i < m->count && ok; i++) {
        if (ignored(m->name[i], ignore))
            continue;
        expected++;
        const apptable_row *r = apptable_find(&t, m->name[i]);
        nanostate_value v = {r ? r->value : NULL, r ? r->size : 0};
        int64_t got;
        if (!r) {
            snprintf(why, why_len, "'%s' is missing", m->name[i]);
            ok = 0;
        } else if (nanostate_value_get_int(&v, &got) != 0 || got != m->value[i]) {
            snprintf(why, why_len, "'%s' is not %lld, the last value set", m->name[i],
                     (long long)m->value[i]);
            ok = 0;
        }
    }
    if (ok && t.count != expected) {
        snprintf(why, why_len, "%zu states where %zu were set", t.count, expected);
        ok = 0;
    }
    apptable_free(&t);
    return ok;
}

/* 1 when both Apps hold the same states, "$" names left out. */
static int user_tables_equal(nanostate_app *a, nanostate_app *b, char *why, size_t why_len)
{
    apptable ta = user_table(a, NULL), tb = user_table(b, NULL);
    int equal = apptable_equal(&ta, &tb, why, why_len);
    apptable_free(&ta);
    apptable_free(&tb);
    return equal;
}

int converged(void *arg)
{
    convergence *c = arg;
    char why[200];
    for (int i = 0; i < c->n; i++) {
        if (!nanostate_app_is_synced(c->apps[i]) || nanostate_app_pending(c->apps[i])) {
            snprintf(c->why, sizeof c->why, "%s: synced %d, %zu updates pending",
                     nanostate_app_identity(c->apps[i]), nanostate_app_is_synced(c->apps[i]),
                     nanostate_app_pending(c->apps[i]));
            return 0;
        }
    }
    for (int i = 0; i < c->n; i++) {
        if (!model_matches(c->m, c->apps[i], c->ignore, why, sizeof why) ||
            (c->ignore && i > 0 && !user_tables_equal(c->apps[0], c->apps[i], why, sizeof why))) {
            snprintf(c->why, sizeof c->why, "%s: %s", nanostate_app_identity(c->apps[i]), why);
            return 0;
        }
    }
    return 1;
}
