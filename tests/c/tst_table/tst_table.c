/* SPDX-License-Identifier: MIT */
/*
 * tst_table.c - the state table (white box): lookups, the change order and
 * values inline or on the heap, checked against a plain array model through
 * long random runs of inserts, updates, touches and removals (removal moves
 * entries within the open-addressing index, the part easiest to get wrong).
 */
#include "table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define NAMES 3000

typedef struct model {
    int present;
    size_t value_len;
    uint8_t value[200];
} model;

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static size_t name_of(int i, char *buf)
{
    return (size_t)snprintf(buf, 32, "robot/%d/speed", i);
}

/* A value of a random length: inline (<= ENTRY_INLINE_VALUE) or on the heap. */
static size_t random_value(uint8_t *v)
{
    size_t len = next_random() % 3 == 0 ? 25 + next_random() % 170 : next_random() % 25;
    for (size_t i = 0; i < len; i++)
        v[i] = (uint8_t)next_random();
    return len;
}

static void check_against(const table *t, const model *m)
{
    size_t present = 0;
    char name[32];
    for (int i = 0; i < NAMES; i++) {
        size_t len = name_of(i, name);
        entry *e = table_find(t, name, len);
        if (!m[i].present) {
            assert_null(e);
            continue;
        }
        present++;
        assert_non_null(e);
        assert_string_equal(entry_name(e), name);
        assert_int_equal(e->value_len, m[i].value_len);
        if (m[i].value_len)
            assert_memory_equal(entry_value(e), m[i].value, m[i].value_len);
    }
    assert_int_equal(t->count, present);
    size_t walked = 0;
    for (const entry *e = t->head; e; e = e->next) {
        assert_ptr_equal(e->prev ? e->prev->next : t->head, e);
        walked++;
    }
    assert_int_equal(walked, present);
}

static void test_random_runs_match_the_model(void **state)
{
    (void)state;
    static model m[NAMES];
    memset(m, 0, sizeof m);
    table t;
    assert_int_equal(table_init(&t), 0);
    char name[32];
    for (int step = 0; step < 200000; step++) {
        int i = (int)(next_random() % NAMES);
        size_t len = name_of(i, name);
        uint32_t action = next_random() % 10;
        if (action < 6) {
            int created = -1;
            entry *e = table_upsert(&t, name, len, &created);
            assert_non_null(e);
            assert_int_equal(created, !m[i].present);
            m[i].present = 1;
            m[i].value_len = random_value(m[i].value);
            assert_int_equal(entry_set_value(e, m[i].value, m[i].value_len), 0);
            table_touch(&t, e);
            assert_ptr_equal(t.tail, e);
        } else {
            entry *e = table_find(&t, name, len);
            assert_int_equal(e != NULL, m[i].present);
            if (e)
                table_remove(&t, e, NULL);
            m[i].present = 0;
        }
        if (step % 20000 == 0)
            check_against(&t, m);
    }
    check_against(&t, m);
    table_free(&t, NULL);
}

static void test_the_change_order_is_the_order_of_touches(void **state)
{
    (void)state;
    table t;
    assert_int_equal(table_init(&t), 0);
    int created;
    entry *a = table_upsert(&t, "a", 1, &created);
    entry *b = table_upsert(&t, "b", 1, &created);
    entry *c = table_upsert(&t, "c", 1, &created);
    table_touch(&t, a);
    assert_ptr_equal(t.head, b);
    assert_ptr_equal(b->next, c);
    assert_ptr_equal(c->next, a);
    assert_ptr_equal(t.tail, a);
    table_remove(&t, c, NULL);
    assert_ptr_equal(b->next, a);
    assert_ptr_equal(a->prev, b);
    table_free(&t, NULL);
}

static void test_a_value_moves_between_inline_and_heap(void **state)
{
    (void)state;
    table t;
    assert_int_equal(table_init(&t), 0);
    int created;
    entry *e = table_upsert(&t, "big", 3, &created);
    uint8_t big[100000], small[] = {0xa1, 'x'};
    memset(big, 0x5a, sizeof big);
    assert_int_equal(entry_set_value(e, big, sizeof big), 0);
    assert_true(e->value_on_heap);
    assert_memory_equal(entry_value(e), big, sizeof big);
    assert_int_equal(entry_set_value(e, big, 100), 0); /* shrinks the block */
    assert_memory_equal(entry_value(e), big, 100);
    assert_int_equal(entry_set_value(e, small, sizeof small), 0);
    assert_false(e->value_on_heap);
    assert_memory_equal(entry_value(e), small, sizeof small);
    assert_string_equal(entry_name(e), "big");
    table_free(&t, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_runs_match_the_model),
        cmocka_unit_test(test_the_change_order_is_the_order_of_touches),
        cmocka_unit_test(test_a_value_moves_between_inline_and_heap),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
