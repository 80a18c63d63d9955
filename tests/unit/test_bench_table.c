/* Benchmark CSV loader: parsing, missing values, error messages, and the bundled NB201 table. */
#define _POSIX_C_SOURCE 200809L   /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "zcnas/bench_table.h"
#include "zcnas/data.h"

static char tmpdir[] = "/tmp/zc_bench_table_XXXXXX";

/* Writes `text` to tmpdir/name and returns the path (static buffer). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads `text` expecting failure; checks the error code and that the message holds `want`. */
static void expect_error(const char *name, const char *text, zc_status code, const char *want)
{
    zc_bench_table t;
    zc_status st = zc_bench_table_load(&t, write_tmp(name, text));
    CHECK_MSG(st == code, "%s: status %d, want %d", name, (int)st, (int)code);
    CHECK_MSG(strstr(zc_last_error(), want) != NULL, "%s: message '%s' lacks '%s'", name, zc_last_error(), want);
    CHECK_MSG(strchr(zc_last_error(), '\n') == NULL, "%s: message is not one line", name);
    CHECK(t.n_rows == 0 && t.values == NULL && t.col_names == NULL);
}

static void test_small(void)
{
    zc_bench_table t;
    const char *csv =
        "index,arch,acc,params\r\n"
        "0,|skip_connect~0|+|none~0|nor_conv_3x3~1|,91.5,1000\r\n"
        "1,|a~0|,,2000\r\n"            /* empty cell -> NaN */
        "\r\n"                          /* blank lines are skipped */
        "2,x, n/a ,  3e3 \r\n";         /* non-numeric -> NaN; surrounding blanks ignored */
    zc_status st = zc_bench_table_load(&t, write_tmp("small.csv", csv));
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    CHECK(t.n_rows == 3 && t.n_cols == 4);
    CHECK(zc_bench_table_col(&t, "acc") == 2);
    CHECK(zc_bench_table_col(&t, "params") == 3);
    CHECK(zc_bench_table_col(&t, "missing") == -1);
    CHECK(t.arch && strcmp(t.arch[0], "|skip_connect~0|+|none~0|nor_conv_3x3~1|") == 0);
    CHECK(t.arch && strcmp(t.arch[2], "x") == 0);
    CHECK_NEAR(t.values[0 * 4 + 2], 91.5, 0);
    CHECK(isnan(t.values[1 * 4 + 2]));
    CHECK(isnan(t.values[2 * 4 + 2]));
    CHECK_NEAR(t.values[2 * 4 + 3], 3000, 0);
    CHECK(isnan(t.values[0 * 4 + 1]));   /* the arch column is not numeric */
    CHECK(t.index[2] == 2);
    CHECK(zc_bench_table_row_of_index(&t, 1) == 1);
    CHECK(zc_bench_table_row_of_index(&t, 3) == -1);
    CHECK(zc_bench_table_row_of_index(&t, -1) == -1);
    zc_bench_table_free(&t);
    CHECK(t.n_rows == 0 && t.values == NULL);
    zc_bench_table_free(&t);   /* freeing twice is harmless */
}

static void test_unordered_no_arch(void)
{
    zc_bench_table t;
    zc_status st = zc_bench_table_load(&t, write_tmp("unordered.csv", "acc,index\n1.5,7\n2.5,0\n3.5,1"));
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    CHECK(t.n_rows == 3 && t.arch == NULL);
    CHECK(zc_bench_table_row_of_index(&t, 7) == 0);   /* fallback scan */
    CHECK(zc_bench_table_row_of_index(&t, 0) == 1);
    CHECK(zc_bench_table_row_of_index(&t, 1) == 2);
    CHECK(zc_bench_table_row_of_index(&t, 2) == -1);
    zc_bench_table_free(&t);

    /* without an index column the index is the row number */
    st = zc_bench_table_load(&t, write_tmp("noindex.csv", "a,b\n1,2\n3,4\n"));
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    CHECK(t.n_rows == 2 && t.index[1] == 1 && zc_bench_table_row_of_index(&t, 1) == 1);
    zc_bench_table_free(&t);
}

/* RFC 4180 quoting (NAS-Bench-101 and PlainNet architecture strings hold commas), and an empty index
 * (an architecture without a benchmark index) read as -1. */
static void test_quoted(void)
{
    zc_bench_table t;
    zc_status st = zc_bench_table_load(&t, write_tmp("quoted.csv",
        "index,arch,\"acc, %\"\n,\"111:input,maxpool3x3,output\",91.5\n7, \"say \"\"hi\"\"\" ,2\n"));
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    CHECK(t.n_rows == 2 && t.n_cols == 3);
    CHECK(strcmp(t.col_names[2], "acc, %") == 0);
    CHECK(strcmp(t.arch[0], "111:input,maxpool3x3,output") == 0 && t.index[0] == -1);
    CHECK(strcmp(t.arch[1], "say \"hi\"") == 0 && t.index[1] == 7);
    CHECK(t.values[2] == 91.5 && t.values[5] == 2);
    zc_bench_table_free(&t);
}

static void test_errors(void)
{
    zc_bench_table t;
    CHECK(zc_bench_table_load(&t, "/nonexistent/zc_no_such.csv") == ZC_EIO);
    CHECK(strstr(zc_last_error(), "/nonexistent/zc_no_such.csv") != NULL);
    expect_error("empty.csv", "", ZC_EDATA, "empty.csv: empty file");
    expect_error("fields.csv", "index,arch,acc\n0,a,1\n1,b\n", ZC_EDATA, "fields.csv:3: expected 3 fields");
    expect_error("toomany.csv", "index,acc\r\n0,1\r\n1,2\r\n2,3,4\r\n", ZC_EDATA, "toomany.csv:4: expected 2 fields");
    expect_error("dup.csv", "index,acc,acc\n0,1,2\n", ZC_EDATA, "duplicate column name 'acc'");
    expect_error("quote.csv", "index,arch\n0,\"a,b\n", ZC_EDATA, "quote.csv:2: unterminated quote");
    expect_error("negindex.csv", "index,acc\n-3,1\n", ZC_EDATA, "negindex.csv:2: index '-3'");
    expect_error("badindex.csv", "index,acc\n0,1\n1.5,2\n", ZC_EDATA, "badindex.csv:3: index '1.5'");
}

static void test_nb201(void)
{
    /* The real table, from the data root (scripts/test.sh sets $ZCNAS_DATA). */
    char path[4096];
    zc_status st = zc_data_bench_path("nb201_accuracy.csv", NULL, path, sizeof path);
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    zc_bench_table t;
    st = zc_bench_table_load(&t, path);
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    if (st != ZC_OK) return;
    CHECK(t.n_rows == 15625);
    int c = zc_bench_table_col(&t, "cifar10_test"), im = zc_bench_table_col(&t, "imagenet16_test");
    CHECK(c >= 0 && im >= 0);
    int r = zc_bench_table_row_of_index(&t, 6111);
    CHECK(r == 6111);
    if (c >= 0 && r >= 0) CHECK_NEAR(t.values[(size_t)r * t.n_cols + c], 94.37, 0.005);
    if (im >= 0) CHECK_NEAR(t.values[(size_t)857 * t.n_cols + im], 47.31, 0.005);
    CHECK(strcmp(t.arch[0], "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|") == 0);
    CHECK(t.index[15624] == 15624);
    zc_bench_table_free(&t);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    test_small();
    test_unordered_no_arch();
    test_quoted();
    test_errors();
    test_nb201();
    const char *names[] = {"small.csv", "unordered.csv", "noindex.csv", "empty.csv", "fields.csv",
                           "toomany.csv", "dup.csv", "quote.csv", "badindex.csv", "quoted.csv", "negindex.csv"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        remove(p);
    }
    rmdir(tmpdir);
    return check_report("test_bench_table");
}
