/* NAS-Bench-201's benchmark index <-> arch mapping, read at run time from the benchmark table (the
 * index order is the order of the benchmark's files, not an enumeration, so it cannot be computed). */
#include <stdio.h>
#include <string.h>
#include "zcnas/bench_table.h"
#include "spaces/nb201/nb201.h"

zc_status zc_nb201_index_map_from_table(zc_nb201_index_map *m, const zc_bench_table *t, const char *path)
{
    if (!m || !t) return zc_fail(ZC_EINVAL, "nb201 index map: missing argument");
    if (!path) path = "benchmark table";
    if (!t->arch || zc_bench_table_col(t, "index") < 0)
        return zc_fail(ZC_EDATA, "%s: the NB201 index needs the columns 'index' and 'arch'", path);
    if (t->n_rows != ZC_NB201_SIZE)
        return zc_fail(ZC_EDATA, "%s: %d rows, expected one per NB201 architecture (%d): truncated or not the "
                       "NAS-Bench-201 table?", path, t->n_rows, ZC_NB201_SIZE);
    memset(m->index_of, 0xff, sizeof m->index_of);   /* -1: not seen */
    unsigned char seen[ZC_NB201_SIZE] = {0};
    for (int r = 0; r < t->n_rows; r++) {
        int idx = t->index[r];
        if (idx < 0 || idx >= ZC_NB201_SIZE)
            return zc_fail(ZC_EDATA, "%s: row %d: index %d out of range 0..%d", path, r + 2, idx, ZC_NB201_SIZE - 1);
        if (seen[idx]) return zc_fail(ZC_EDATA, "%s: row %d: index %d appears twice", path, r + 2, idx);
        seen[idx] = 1;
        zc_nb201_arch a;
        if (zc_nb201_parse(t->arch[r], &a) != ZC_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            return zc_fail(ZC_EDATA, "%s: row %d: %s", path, r + 2, msg);
        }
        int code = zc_nb201_code(&a);
        if (m->index_of[code] >= 0)
            return zc_fail(ZC_EDATA, "%s: row %d: arch %s also has index %d", path, r + 2, t->arch[r],
                           m->index_of[code]);
        m->index_of[code] = (int16_t)idx;
        m->code_of[idx] = (uint16_t)code;
    }
    return ZC_OK;
}

zc_status zc_nb201_index_map_load(zc_nb201_index_map *m, const char *path)
{
    zc_bench_table t;
    zc_status st = zc_bench_table_load(&t, path);
    if (st != ZC_OK) return st;
    st = zc_nb201_index_map_from_table(m, &t, path);
    zc_bench_table_free(&t);
    return st;
}

int zc_nb201_index(const zc_nb201_index_map *m, const zc_nb201_arch *arch)
{
    return m ? m->index_of[zc_nb201_code(arch)] : -1;
}

zc_status zc_nb201_from_index(const zc_nb201_index_map *m, int index, zc_nb201_arch *arch)
{
    if (!m) return zc_fail(ZC_EINVAL, "nb201: benchmark index %d given, but no benchmark table is loaded", index);
    if (index < 0 || index >= ZC_NB201_SIZE)
        return zc_fail(ZC_EINVAL, "nb201: index %d out of range 0..%d", index, ZC_NB201_SIZE - 1);
    zc_nb201_from_code(m->code_of[index], arch);
    return ZC_OK;
}
