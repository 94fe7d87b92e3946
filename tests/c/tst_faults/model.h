/* SPDX-License-Identifier: MIT */
/*
 * model.h - what every App's table must end up as, and the writers that
 * flood it: each writer App owns its names ("<id>/nNNN"), every set takes
 * the next value of one counter, and the model keeps each name's last one.
 *
 * Comparisons skip the hub's own states ("$hub/..."), whose values move on
 * their own, and names under an ignored prefix (a writer whose last value
 * the test cannot know, such as one killed mid-send).
 */
#ifndef NANOSTATE_TST_FAULTS_MODEL_H
#define NANOSTATE_TST_FAULTS_MODEL_H

#include <nanostate/nanostate.h>

#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX 1024
#define MODEL_NAME_MAX 48

typedef struct model {
    char name[MODEL_MAX][MODEL_NAME_MAX];
    int64_t value[MODEL_MAX];
    size_t count;
    int64_t counter; /* the last value handed out */
} model;

typedef struct writer {
    nanostate_app *app;
    size_t first; /* model index of its name 0 */
    int names;
    uint64_t sets;
} writer;

/* Gives the writer `names` names "<id>/nNNN" in the model and sets each of
 * them once, so the model is complete from the start. 0, or a NANOSTATE_E*
 * code. */
int model_add_writer(model *m, writer *w, nanostate_app *app, const char *id, int names);
/* Forgets the names from `index` on (the last ones added): states the Apps
 * must no longer hold. */
void model_forget_from(model *m, size_t index);

/* One set of the writer's next name. 0, or a NANOSTATE_E* code. */
int writer_step(model *m, writer *w);

/* Round-robin sets of the writers for ms milliseconds, dispatching the n
 * apps (without blocking) every few sets so echoes and resyncs keep being
 * handled. Returns how many sets were made, or -1 when a set failed. */
long flood_for_ms(model *m, writer *writers, int nwriters, nanostate_app **apps, int n, int ms);

/* 1 when the App's table, without "$" names and names starting with
 * `ignore` (may be NULL), holds exactly the model's names with the model's
 * values. Otherwise 0, with the first difference in why. */
int model_matches(const model *m, nanostate_app *app, const char *ignore, char *why,
                  size_t why_len);

/* Every App synced, nothing pending, every table matching the model, and,
 * when ignore is set, the ignored names the same in every App. For
 * testutil_wait_apps(). */
typedef struct convergence {
    const model *m;
    nanostate_app **apps;
    int n;
    const char *ignore;
    char why[256];
} convergence;
int converged(void *convergence_arg);

#endif
