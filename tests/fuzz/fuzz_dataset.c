/* Fuzzes the dataset loaders (src/data/dataset.c, zc_dataset_load) on the official binary formats: the
 * first byte picks the dataset (CIFAR-10, CIFAR-100, ImageNet16-120) and whether the rest of the input is
 * given as the file itself or in a folder under the name the loader looks for (data_batch_1.bin, train.bin,
 * imagenet16_120.bin); a loaded dataset then makes two batches (augmented or not, random or sequential).
 * Asserts: a failure leaves an error message and an empty dataset; a loaded dataset has one record per
 * whole record of the file, its shape and class count, every label in range; batches have labels in range
 * and finite pixels. */
#include <math.h>
#include "fuzz_common.h"
#include "zcnas/data.h"

static const char *const FILE_NAMES[3] = {"data_batch_1.bin", "train.bin", "imagenet16_120.bin"};
static const int RECORD[3] = {1 + 3072, 2 + 3072, 1 + 768};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dirs[3][512];
    if (!dirs[0][0])
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "dataset%d", k);
            zcf_mkdir(zcf_path(dirs[k], sizeof dirs[k], name));
        }
    if (size < 1) return 0;
    int k = data[0] % 3, in_folder = (data[0] / 3) & 1;
    zc_dataset_kind kind = k == 0 ? ZC_CIFAR10 : k == 1 ? ZC_CIFAR100 : ZC_IMAGENET16;
    char file[600];
    snprintf(file, sizeof file, "%s/%s", dirs[k], FILE_NAMES[k]);
    zcf_write(file, data + 1, size - 1);

    zc_dataset ds;
    zc_clear_error();
    zc_status st = zc_dataset_load(&ds, kind, in_folder ? dirs[k] : file);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_dataset_load");
    if (st != ZC_OK) {
        ZCF_CHECK(!ds.pixels && !ds.labels && !ds.n, "a failed load leaves data");
        return 0;
    }
    size_t records = (size - 1) / (size_t)RECORD[k];
    ZCF_CHECK((size - 1) % (size_t)RECORD[k] == 0 && (size_t)ds.n == records && records > 0,
              "%zu bytes loaded as %d records", size - 1, ds.n);
    ZCF_CHECK(ds.kind == kind && ds.c == 3 && ds.h == zc_dataset_resolution(kind) && ds.w == ds.h &&
                  ds.classes == zc_dataset_classes(kind),
              "dataset of %d x %d x %d, %d classes", ds.c, ds.h, ds.w, ds.classes);
    for (int i = 0; i < ds.n; i++)
        ZCF_CHECK(ds.labels[i] >= 0 && ds.labels[i] < ds.classes, "record %d has label %d", i, ds.labels[i]);

    zc_batch_opts bo = {ds.n < 3 ? ds.n : 3, 2, (data[0] / 6) & 1 ? ZC_SAMPLER_SEQUENTIAL : ZC_SAMPLER_RANDOM,
                        zcf_hash(data, size), (data[0] / 12) & 1};
    zc_batch b[2];
    zc_clear_error();
    st = zc_batches_make(&ds, &bo, b);
    ZCF_CHECK(st == ZC_OK, "a loaded dataset makes no batches: %s", zc_last_error());
    for (int j = 0; j < 2; j++) {
        ZCF_CHECK(b[j].n == bo.batch_size && b[j].c == 3 && b[j].h == ds.h && b[j].w == ds.w, "batch %d: shape", j);
        for (int i = 0; i < b[j].n; i++)
            ZCF_CHECK(b[j].y[i] >= 0 && b[j].y[i] < ds.classes, "batch %d: label %d", j, b[j].y[i]);
        for (size_t i = 0; i < (size_t)b[j].n * 3 * b[j].h * b[j].w; i++)
            ZCF_CHECK(isfinite(b[j].x[i]), "batch %d: pixel %zu is %g", j, i, b[j].x[i]);
        zc_batch_free(&b[j]);
    }
    zc_dataset_free(&ds);
    return 0;
}
