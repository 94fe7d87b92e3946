/* SPDX-License-Identifier: MIT */
/*
 * tst_smoke.c - the public API that needs no hub: errors, version, value
 * views on hand-made msgpack bytes, and an App refusing a malformed URL.
 * It proves the build-and-test pipeline end to end.
 */
#include <nanostate/nanostate.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A value view on a byte string literal (without its NUL). */
#define VIEW(bytes) ((nanostate_value){(bytes), sizeof(bytes) - 1})

/* ---- Errors and version ---------------------------------------------------- */

static void test_strerror_names_every_code(void **state)
{
    const char *unknown = nanostate_strerror(-1);
    for (int err = NANOSTATE_OK; err <= NANOSTATE_EUNKNOWN; err++) {
        const char *text = nanostate_strerror(err);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_string_not_equal(text, unknown);
        for (int other = NANOSTATE_OK; other < err; other++)
            assert_string_not_equal(text, nanostate_strerror(other));
    }
}

static void test_strerror_answers_unknown_codes(void **state)
{
    const int codes[] = {-1, NANOSTATE_EUNKNOWN + 1, 1000000};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        assert_non_null(nanostate_strerror(codes[i]));
        assert_true(strlen(nanostate_strerror(codes[i])) > 0);
    }
}

static void test_version_matches_header(void **state)
{
    assert_string_equal(nanostate_version(), NANOSTATE_VERSION_STRING);
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", NANOSTATE_VERSION_MAJOR,
             NANOSTATE_VERSION_MINOR, NANOSTATE_VERSION_PATCH);
    assert_string_equal(nanostate_version(), expected);
}

/* ---- Validation ------------------------------------------------------------ */

static void test_value_validate_accepts_one_object_of_each_type(void **state)
{
    static const struct {
        const char *bytes;
        size_t size;
    } ok[] = {
        {"\xc0", 1},                     /* nil */
        {"\xc3", 1},                     /* true */
        {"\x05", 1},                     /* positive fixint */
        {"\xff", 1},                     /* -1 */
        {"\xcb\x3f\xf8\0\0\0\0\0\0", 9}, /* 1.5 */
        {"\xa2hi", 3},                   /* "hi" */
        {"\xc4\x01\x00", 3},             /* bin of 1 byte */
        {"\x92\x01\x02", 3},             /* [1, 2] */
        {"\x81\xa1\x61\x01", 4},         /* {"a": 1} */
        {"\xd4\x01\x00", 3},             /* fixext 1 */
        {"\x90", 1},                     /* [] */
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(nanostate_value_validate(ok[i].bytes, ok[i].size), 0);
}

static void test_value_validate_rejects_truncated_msgpack(void **state)
{
    static const struct {
        const char *bytes;
        size_t size;
    } truncated[] = {
        {"\xa5\x61\x62", 3}, /* str of 5 bytes, 2 given */
        {"\x92\x01", 2},     /* [1, missing] */
        {"\xcd\x01", 2},     /* uint16 missing a byte */
        {"\xcb\x3f\xf8", 3}, /* float64 missing 6 bytes */
        {"\x81\xa1\x61", 3}, /* {"a": missing} */
    };
    for (size_t i = 0; i < sizeof truncated / sizeof *truncated; i++)
        assert_int_equal(nanostate_value_validate(truncated[i].bytes, truncated[i].size),
                         NANOSTATE_EVALUE);
}

static void test_value_validate_rejects_trailing_bytes(void **state)
{
    assert_int_equal(nanostate_value_validate("\x01\x02", 2), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_value_validate("\xc0\xc0", 2), NANOSTATE_EVALUE);
}

static void test_value_validate_rejects_empty_input(void **state)
{
    assert_int_equal(nanostate_value_validate(NULL, 0), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_value_validate("\xc0", 0), NANOSTATE_EVALUE);
}

static void test_value_validate_rejects_reserved_byte(void **state)
{
    assert_int_equal(nanostate_value_validate("\xc1", 1), NANOSTATE_EVALUE);
}

static void test_value_validate_limits_nesting_to_max_depth(void **state)
{
    unsigned char bytes[NANOSTATE_MAX_DEPTH + 2];
    /* NANOSTATE_MAX_DEPTH arrays of one element around a nil: allowed. */
    memset(bytes, 0x91, NANOSTATE_MAX_DEPTH);
    bytes[NANOSTATE_MAX_DEPTH] = 0xc0;
    assert_int_equal(nanostate_value_validate(bytes, NANOSTATE_MAX_DEPTH + 1), 0);
    /* One more level: refused. */
    memset(bytes, 0x91, NANOSTATE_MAX_DEPTH + 1);
    bytes[NANOSTATE_MAX_DEPTH + 1] = 0xc0;
    assert_int_equal(nanostate_value_validate(bytes, NANOSTATE_MAX_DEPTH + 2), NANOSTATE_EVALUE);
}

/* ---- Types and getters ----------------------------------------------------- */

static int type_of(const char *bytes, size_t size)
{
    nanostate_value v = {bytes, size};
    return nanostate_value_type(&v);
}
#define TYPE_OF(bytes) type_of((bytes), sizeof(bytes) - 1)

static void test_value_type_reports_each_msgpack_family(void **state)
{
    assert_int_equal(TYPE_OF("\xc0"), NANOSTATE_TYPE_NIL);
    assert_int_equal(TYPE_OF("\xc2"), NANOSTATE_TYPE_BOOL);
    assert_int_equal(TYPE_OF("\xff"), NANOSTATE_TYPE_INT);
    assert_int_equal(TYPE_OF("\x05"), NANOSTATE_TYPE_UINT);
    assert_int_equal(TYPE_OF("\xca\x3f\xc0\0\0"), NANOSTATE_TYPE_FLOAT);
    assert_int_equal(TYPE_OF("\xa2hi"), NANOSTATE_TYPE_STR);
    assert_int_equal(TYPE_OF("\xc4\x01\x00"), NANOSTATE_TYPE_BIN);
    assert_int_equal(TYPE_OF("\x92\x01\x02"), NANOSTATE_TYPE_ARRAY);
    assert_int_equal(TYPE_OF("\x80"), NANOSTATE_TYPE_MAP);
    assert_int_equal(TYPE_OF("\xd4\x01\x00"), NANOSTATE_TYPE_EXT);
}

static void test_value_type_of_empty_view_is_invalid(void **state)
{
    nanostate_value empty = {NULL, 0};
    assert_int_equal(nanostate_value_type(&empty), NANOSTATE_TYPE_INVALID);
}

static void test_type_name_names_each_type(void **state)
{
    static const char *const names[] = {"invalid", "nil", "bool",  "int", "uint", "float",
                                        "str",     "bin", "array", "map", "ext"};
    for (int t = NANOSTATE_TYPE_INVALID; t <= NANOSTATE_TYPE_EXT; t++)
        assert_string_equal(nanostate_type_name(t), names[t]);
    assert_string_equal(nanostate_type_name(NANOSTATE_TYPE_EXT + 1), "invalid");
}

static void test_value_getters_read_matching_types(void **state)
{
    nanostate_value v;
    int b = 0;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    const char *s = NULL;
    const void *bytes = NULL;
    size_t len = 0;

    v = VIEW("\xc3");
    assert_int_equal(nanostate_value_get_bool(&v, &b), 0);
    assert_int_equal(b, 1);
    v = VIEW("\xd0\x80"); /* int8 -128 */
    assert_int_equal(nanostate_value_get_int(&v, &i), 0);
    assert_int_equal(i, -128);
    v = VIEW("\xcd\x01\x00"); /* uint16 256 */
    assert_int_equal(nanostate_value_get_uint(&v, &u), 0);
    assert_int_equal(u, 256);
    assert_int_equal(nanostate_value_get_int(&v, &i), 0);
    assert_int_equal(i, 256);
    assert_int_equal(nanostate_value_get_double(&v, &d), 0);
    assert_true(d == 256.0);
    v = VIEW("\xcb\x3f\xf8\0\0\0\0\0\0"); /* 1.5 */
    assert_int_equal(nanostate_value_get_double(&v, &d), 0);
    assert_true(d == 1.5);
    v = VIEW("\xa2hi");
    assert_int_equal(nanostate_value_get_str(&v, &s, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(s, "hi", 2);
    assert_int_equal(nanostate_value_get_bytes(&v, &bytes, &len), 0);
    assert_int_equal(len, 2);
    v = VIEW("\xc4\x02\x00\xff");
    assert_int_equal(nanostate_value_get_bytes(&v, &bytes, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(bytes, "\x00\xff", 2);
}

static void test_value_getters_reject_other_types(void **state)
{
    nanostate_value v;
    int b;
    int64_t i;
    double d;
    const char *s;
    size_t len;

    v = VIEW("\xa2hi");
    assert_int_equal(nanostate_value_get_int(&v, &i), NANOSTATE_ETYPE);
    assert_int_equal(nanostate_value_get_double(&v, &d), NANOSTATE_ETYPE);
    assert_int_equal(nanostate_value_get_bool(&v, &b), NANOSTATE_ETYPE);
    v = VIEW("\xc4\x01\x00");
    assert_int_equal(nanostate_value_get_str(&v, &s, &len), NANOSTATE_ETYPE);
    v = VIEW("\xc0");
    assert_int_equal(nanostate_value_get_bool(&v, &b), NANOSTATE_ETYPE);
}

static void test_value_getters_report_numbers_out_of_range(void **state)
{
    nanostate_value v;
    int64_t i;
    uint64_t u;

    v = VIEW("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"); /* UINT64_MAX */
    assert_int_equal(nanostate_value_get_int(&v, &i), NANOSTATE_ERANGE);
    assert_int_equal(nanostate_value_get_uint(&v, &u), 0);
    assert_true(u == UINT64_MAX);
    v = VIEW("\xff"); /* -1 */
    assert_int_equal(nanostate_value_get_uint(&v, &u), NANOSTATE_ERANGE);
}

static void test_value_equal_compares_packed_bytes(void **state)
{
    nanostate_value a = VIEW("\x92\x01\x02");
    nanostate_value same = VIEW("\x92\x01\x02");
    nanostate_value other = VIEW("\x92\x01\x03");
    assert_int_equal(nanostate_value_equal(&a, &same), 1);
    assert_int_equal(nanostate_value_equal(&a, &other), 0);
}

/* ---- App without a hub ----------------------------------------------------- */

static void test_app_connect_rejects_malformed_url(void **state)
{
    static const char *const bad[] = {"not-a-url", "tcp://", "http://127.0.0.1:15000", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        nanostate_app *app = NULL;
        assert_int_equal(nanostate_app_create(&app, "smoke"), 0);
        assert_non_null(app);
        assert_int_equal(nanostate_app_connect(app, bad[i]), NANOSTATE_EURL);
        nanostate_app_close(app);
    }
}

static void test_app_keeps_given_identity(void **state)
{
    nanostate_app *app = NULL;
    assert_int_equal(nanostate_app_create(&app, "smoke"), 0);
    assert_string_equal(nanostate_app_identity(app), "smoke");
    nanostate_app_close(app);
}

static void test_app_default_identity_names_the_process(void **state)
{
    nanostate_app *app = NULL;
    assert_int_equal(nanostate_app_create(&app, NULL), 0);
    char expected[32];
    snprintf(expected, sizeof expected, "app-%ld", (long)getpid());
    assert_string_equal(nanostate_app_identity(app), expected);
    nanostate_app_close(app);
}

static void test_app_close_accepts_null(void **state) { nanostate_app_close(NULL); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_names_every_code),
        cmocka_unit_test(test_strerror_answers_unknown_codes),
        cmocka_unit_test(test_version_matches_header),
        cmocka_unit_test(test_value_validate_accepts_one_object_of_each_type),
        cmocka_unit_test(test_value_validate_rejects_truncated_msgpack),
        cmocka_unit_test(test_value_validate_rejects_trailing_bytes),
        cmocka_unit_test(test_value_validate_rejects_empty_input),
        cmocka_unit_test(test_value_validate_rejects_reserved_byte),
        cmocka_unit_test(test_value_validate_limits_nesting_to_max_depth),
        cmocka_unit_test(test_value_type_reports_each_msgpack_family),
        cmocka_unit_test(test_value_type_of_empty_view_is_invalid),
        cmocka_unit_test(test_type_name_names_each_type),
        cmocka_unit_test(test_value_getters_read_matching_types),
        cmocka_unit_test(test_value_getters_reject_other_types),
        cmocka_unit_test(test_value_getters_report_numbers_out_of_range),
        cmocka_unit_test(test_value_equal_compares_packed_bytes),
        cmocka_unit_test(test_app_connect_rejects_malformed_url),
        cmocka_unit_test(test_app_keeps_given_identity),
        cmocka_unit_test(test_app_default_identity_names_the_process),
        cmocka_unit_test(test_app_close_accepts_null),
    };
    return cmocka_run_group_tests_name("smoke", tests, NULL, NULL);
}
