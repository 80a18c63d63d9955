/* Fuzzes the .npy reader (src/io/npy.c, zc_npy_read_f32): the input is written to a file and read.
 * Asserts: a failure leaves an error message and no data; a read array has 0..8 dimensions whose product is
 * the element count the file's size implies (4 or 8 bytes each), and written back with zc_npy_write_f32
 * it reads again with the same shape and the same float32 bits. */
#include "fuzz_common.h"
#include "zcnas/weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512], back[512];
    if (!path[0]) {
        zcf_path(path, sizeof path, "in.npy");
        zcf_path(back, sizeof back, "back.npy");
    }
    zcf_write(path, data, size);
    float *x = (float *)&x;   /* must become NULL on failure */
    int ndim = -1, shape[ZC_NPY_MAX_DIMS];
    zc_clear_error();
    zc_status st = zc_npy_read_f32(path, &x, &ndim, shape);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_npy_read_f32");
    if (st != ZC_OK) {
        ZCF_CHECK(x == NULL, "a failed read returns data");
        return 0;
    }
    ZCF_CHECK(x && ndim >= 0 && ndim <= ZC_NPY_MAX_DIMS, "read %d dimensions", ndim);
    size_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        ZCF_CHECK(shape[i] >= 0, "dimension %d has extent %d", i, shape[i]);
        numel *= (size_t)shape[i];
    }
    /* The data are the file's last numel * 4 or numel * 8 bytes, after a header of at least 10. */
    ZCF_CHECK(size >= 10 + numel * 4, "%zu elements in a file of %zu bytes", numel, size);
    float *y = NULL;
    int ndim2 = -1, shape2[ZC_NPY_MAX_DIMS];
    zc_clear_error();
    st = zc_npy_write_f32(back, x, ndim, shape);
    ZCF_CHECK(st == ZC_OK, "cannot write back what was read: %s", zc_last_error());
    st = zc_npy_read_f32(back, &y, &ndim2, shape2);
    ZCF_CHECK(st == ZC_OK, "what was written back does not read: %s", zc_last_error());
    ZCF_CHECK(ndim2 == ndim && !memcmp(shape, shape2, (size_t)ndim * sizeof *shape), "written back: another shape");
    ZCF_CHECK(!memcmp(x, y, numel * sizeof *x), "written back: other values");
    free(x);
    free(y);
    return 0;
}
