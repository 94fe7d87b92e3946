/* SPDX-License-Identifier: MIT */
/*
 * replay_main.c - runs a fuzz target without libFuzzer: every file named on
 * the command line (or found in a directory named there) is read and passed
 * to LLVMFuzzerTestOneInput once. Built into the replay binaries that
 * tests/fuzz/test_fuzz_regressions.sh uses; also handy to debug one input:
 *
 *   BUILD/fuzz-replay/fuzz_frame fuzz/regressions/fuzz_frame/some-input
 *
 * Prints the name of each input before running it, so the last name printed
 * is the input that crashed. Exit status: 0, or 1 when an input cannot be
 * read (a failed check aborts the process).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *more = realloc(data, cap *= 2);
            if (!more)
                free(data);
            data = more;
        }
    }
    fclose(f);
    if (!data) {
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    printf("# replay %s (%zu bytes)\n", path, len);
    fflush(stdout);
    /* An exact copy, so that a read past the end is seen. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        return -1;
    }
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int replay_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*count;
        return replay_file(path);
    }
    struct dirent **entries;
    int n = scandir(path, &entries, NULL, alphasort);
    if (n < 0) {
        perror(path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        /* Dot files (.gitkeep) and READMEs are not inputs. */
        if (name[0] != '.' && strcmp(name, "README.md") != 0) {
            size_t len = strlen(path) + strlen(name) + 2;
            char *child = malloc(len);
            if (child) {
                snprintf(child, len, "%s/%s", path, name);
                if (replay_path(child, count) != 0)
                    rc = -1;
                free(child);
            } else {
                rc = -1;
            }
        }
        free(entries[i]);
    }
    free(entries);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) != 0)
            rc = 1;
    printf("# replayed %zu inputs\n", count);
    return rc;
}
