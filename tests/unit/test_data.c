/* Datasets and batches: the official files (from the data root $ZCNAS_DATA, any number of records)
 * load with their known first labels and pixels, pixels are normalised as torchvision does, the
 * samplers are deterministic, bad input is refused with a message naming the file, and a missing data
 * root is reported with what was looked for and where to get it. */
#define _POSIX_C_SOURCE 200809L  /* mkdir for the scratch folder */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "zcnas/data.h"

#define TMP "test_data.tmp"

static char data_root[2048];

static const char *data_path(const char *rel, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%s", data_root, rel);
    return buf;
}

static void write_file(const char *path, const unsigned char *bytes, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (n && fwrite(bytes, 1, n, f) != n) { perror(path); exit(2); }
    fclose(f);
}

static int msg_has(const char *needle) { return strstr(zc_last_error(), needle) != NULL; }

/* Whole records in a file (its size over the record size), or -1. */
static int file_records(const char *path, long rec) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_size / rec) : -1;
}

/* The raw record a normalised (un-augmented) image came from: inverts the normalisation and
 * searches the dataset; -1 when none matches. */
static int find_record(const zc_dataset *ds, const float *x) {
    float mean[3], std[3];
    zc_dataset_norm(ds->kind, mean, std);
    size_t img = (size_t)ds->c * ds->h * ds->w, plane = (size_t)ds->h * ds->w;
    uint8_t *raw = malloc(img);
    for (size_t i = 0; i < img; i++) {
        int ch = (int)(i / plane);
        raw[i] = (uint8_t)lround((x[i] * std[ch] + mean[ch]) * 255.0);
    }
    int found = -1;
    for (int r = 0; r < ds->n && found < 0; r++)
        if (memcmp(raw, ds->pixels + (size_t)r * img, img) == 0) found = r;
    free(raw);
    return found;
}

static void test_names(void) {
    zc_dataset_kind k;
    CHECK(zc_dataset_kind_parse("cifar10", &k) == ZC_OK && k == ZC_CIFAR10);
    CHECK(zc_dataset_kind_parse("cifar100", &k) == ZC_OK && k == ZC_CIFAR100);
    CHECK(zc_dataset_kind_parse("imagenet16", &k) == ZC_OK && k == ZC_IMAGENET16);
    CHECK(zc_dataset_kind_parse("ImageNet16-120", &k) == ZC_OK && k == ZC_IMAGENET16);
    CHECK(zc_dataset_kind_parse("mnist", &k) == ZC_EINVAL && msg_has("mnist"));
    CHECK(strcmp(zc_dataset_name(ZC_CIFAR100), "cifar100") == 0);
    CHECK(zc_dataset_classes(ZC_CIFAR10) == 10 && zc_dataset_classes(ZC_CIFAR100) == 100 &&
          zc_dataset_classes(ZC_IMAGENET16) == 120);
    CHECK(zc_dataset_resolution(ZC_CIFAR10) == 32 && zc_dataset_resolution(ZC_IMAGENET16) == 16);
    float m[3], s[3];
    zc_dataset_norm(ZC_IMAGENET16, m, s);
    CHECK(m[0] == (float)(122.68 / 255) && s[2] == (float)(65.09 / 255));
}

static void test_cifar10(void) {
    char p[4096];
    zc_dataset ds;
    /* The first official training file (the tests below need at least 900 of its records). */
    data_path("cifar10/data_batch_1.bin", p, sizeof p);
    int n1 = file_records(p, 3073);
    CHECK_MSG(zc_dataset_load(&ds, ZC_CIFAR10, p) == ZC_OK, "%s", zc_last_error());
    CHECK(n1 >= 900 && ds.n == n1 && ds.c == 3 && ds.h == 32 && ds.w == 32 && ds.classes == 10);
    if (ds.n != n1 || n1 < 900) return;
    /* The official training batch 1 begins frog, truck, truck, deer. */
    CHECK(ds.labels[0] == 6 && ds.labels[1] == 9 && ds.labels[2] == 9 && ds.labels[3] == 4);
    /* Record 0, pixel (0, 0): R = 59, G = 62, B = 63 in the official file. */
    CHECK(ds.pixels[0] == 59 && ds.pixels[1024] == 62 && ds.pixels[2048] == 63);

    /* The directory holds data_batch_1 .. 5 (those present), in that order. */
    zc_dataset all;
    CHECK(zc_dataset_load(&all, ZC_CIFAR10, data_path("cifar10", p, sizeof p)) == ZC_OK);
    int total = 0;
    for (int i = 1; i <= 5; i++) {
        char f[64], q[4096];
        snprintf(f, sizeof f, "cifar10/data_batch_%d.bin", i);
        int k = file_records(data_path(f, q, sizeof q), 3073);
        total += k > 0 ? k : 0;
    }
    CHECK(all.n == total && all.n >= ds.n && memcmp(all.pixels, ds.pixels, (size_t)ds.n * 3072) == 0 &&
          memcmp(all.labels, ds.labels, (size_t)ds.n * sizeof(int)) == 0);
    zc_dataset_free(&all);
    CHECK(all.pixels == NULL && all.n == 0);

    /* Normalised by hand: (59/255 - 125.3/255) / (63/255) = (59 - 125.3) / 63, and for the
     * blue plane (63 - 113.9) / 66.7; float32 arithmetic agrees to ~1e-6. */
    zc_batch b = {0};
    zc_batch_opts o = {.batch_size = 4, .n_batches = 1, .sampler = ZC_SAMPLER_SEQUENTIAL};
    CHECK(zc_batches_make(&ds, &o, &b) == ZC_OK);
    CHECK(b.n == 4 && b.c == 3 && b.h == 32 && b.w == 32);
    CHECK_NEAR(b.x[0], (59.0 - 125.3) / 63.0, 2e-6);
    CHECK_NEAR(b.x[2048], (63.0 - 113.9) / 66.7, 2e-6);
    /* ... and bit-exactly as torchvision's float32 ToTensor + Normalize. */
    float x = (float)59 / 255.0f;
    CHECK(b.x[0] == (x - (float)(125.3 / 255)) / (float)(63.0 / 255));
    zc_batch_free(&b);
    CHECK(b.x == NULL && b.y == NULL);

    /* Sequential: file order, wrapping around past the end. */
    zc_batch seq[10] = {{0}};
    o = (zc_batch_opts){.batch_size = 100, .n_batches = 10, .sampler = ZC_SAMPLER_SEQUENTIAL};
    CHECK(zc_batches_make(&ds, &o, seq) == ZC_OK);
    int seq_ok = 1;
    for (int bi = 0; bi < 10; bi++)
        for (int i = 0; i < 100; i++) {
            int r = (bi * 100 + i) % ds.n;
            seq_ok &= seq[bi].y[i] == ds.labels[r];
            if (i % 37 == 0) seq_ok &= find_record(&ds, seq[bi].x + (size_t)i * 3072) == r;
        }
    CHECK(seq_ok);
    for (int bi = 0; bi < 10; bi++) zc_batch_free(&seq[bi]);

    /* Random: same seed same batches, another seed other batches. One epoch of 9 batches of 100
     * uses 900 distinct records; the 10th batch starts a new permutation. */
    zc_batch r1[10], r2[10], r3[10];
    o = (zc_batch_opts){.batch_size = 100, .n_batches = 10, .sampler = ZC_SAMPLER_RANDOM, .seed = 7};
    CHECK(zc_batches_make(&ds, &o, r1) == ZC_OK);
    CHECK(zc_batches_make(&ds, &o, r2) == ZC_OK);
    o.seed = 8;
    CHECK(zc_batches_make(&ds, &o, r3) == ZC_OK);
    int same = 1, differ = 0;
    for (int bi = 0; bi < 10; bi++) {
        same &= memcmp(r1[bi].x, r2[bi].x, 100 * 3072 * sizeof(float)) == 0 &&
                memcmp(r1[bi].y, r2[bi].y, 100 * sizeof(int)) == 0;
        differ |= memcmp(r1[bi].x, r3[bi].x, 100 * 3072 * sizeof(float)) != 0;
    }
    CHECK(same);
    CHECK(differ);
    char *seen = calloc((size_t)ds.n, 1);
    int found_all = 1, dup_in_epoch = 0, dup_in_last = 0;
    for (int bi = 0; bi < 10; bi++) {
        if (bi == 9) memset(seen, 0, (size_t)ds.n);
        for (int i = 0; i < 100; i++) {
            int r = find_record(&ds, r1[bi].x + (size_t)i * 3072);
            if (r < 0 || r1[bi].y[i] != ds.labels[r]) { found_all = 0; continue; }
            if (seen[r]) { if (bi < 9) dup_in_epoch = 1; else dup_in_last = 1; }
            seen[r] = 1;
        }
    }
    free(seen);
    CHECK(found_all);
    CHECK(!dup_in_epoch);
    CHECK(!dup_in_last);

    /* Augmentation draws the same records (separate rng stream); every image is a crop of the
     * zero-padded record, possibly mirrored, and some are actually moved. */
    zc_batch a[2] = {{0}};
    o = (zc_batch_opts){.batch_size = 100, .n_batches = 2, .sampler = ZC_SAMPLER_RANDOM, .seed = 7,
                        .augment = 1};
    CHECK(zc_batches_make(&ds, &o, a) == ZC_OK);
    float mean[3], sd[3];
    zc_dataset_norm(ZC_CIFAR10, mean, sd);
    int labels_same = 1, crops_ok = 1, moved = 0;
    for (int bi = 0; bi < 2; bi++)
        for (int i = 0; i < 100; i++) {
            labels_same &= a[bi].y[i] == r1[bi].y[i];
            int rec = find_record(&ds, r1[bi].x + (size_t)i * 3072);
            if (rec < 0) { crops_ok = 0; continue; }
            const uint8_t *img = ds.pixels + (size_t)rec * 3072;
            const float *ax = a[bi].x + (size_t)i * 3072;
            int match = 0;
            for (int dy = 0; dy <= 8 && !match; dy++)
                for (int dx = 0; dx <= 8 && !match; dx++)
                    for (int fl = 0; fl < 2 && !match; fl++) {
                        int ok = 1;
                        for (int k = 0; k < 3072 && ok; k++) {
                            int ch = k / 1024, y = k / 32 % 32, xx = k % 32;
                            int sy = y + dy - 4, sx = (fl ? 31 - xx : xx) + dx - 4;
                            int v = (sy >= 0 && sy < 32 && sx >= 0 && sx < 32) ? img[ch * 1024 + sy * 32 + sx] : 0;
                            ok = fabs(ax[k] - ((float)v / 255.0f - mean[ch]) / sd[ch]) < 1e-6;
                        }
                        if (ok) { match = 1; moved |= dy != 4 || dx != 4 || fl; }
                    }
            crops_ok &= match;
        }
    CHECK(labels_same);
    CHECK(crops_ok);
    CHECK(moved);
    for (int bi = 0; bi < 2; bi++) zc_batch_free(&a[bi]);
    for (int bi = 0; bi < 10; bi++) { zc_batch_free(&r1[bi]); zc_batch_free(&r2[bi]); zc_batch_free(&r3[bi]); }

    /* Bad options. */
    zc_batch bad[2] = {{0}};
    char big[32], have[32];
    snprintf(big, sizeof big, "%d", ds.n + 1);
    snprintf(have, sizeof have, "%d", ds.n);
    o = (zc_batch_opts){.batch_size = ds.n + 1, .n_batches = 1};
    CHECK(zc_batches_make(&ds, &o, bad) == ZC_EINVAL && msg_has(big) && msg_has(have));
    o = (zc_batch_opts){.batch_size = 0, .n_batches = 1};
    CHECK(zc_batches_make(&ds, &o, bad) == ZC_EINVAL);
    o = (zc_batch_opts){.batch_size = 4, .n_batches = 0};
    CHECK(zc_batches_make(&ds, &o, bad) == ZC_EINVAL);
    o = (zc_batch_opts){.batch_size = ds.n, .n_batches = 2};  /* exactly the dataset: allowed */
    CHECK(zc_batches_make(&ds, &o, bad) == ZC_OK);
    zc_batch_free(&bad[0]);
    zc_batch_free(&bad[1]);
    zc_dataset_free(&ds);
}

static void test_other_datasets(void) {
    char p[4096];
    zc_dataset ds;
    CHECK_MSG(zc_dataset_load(&ds, ZC_CIFAR100, data_path("cifar100", p, sizeof p)) == ZC_OK, "%s",
              zc_last_error());
    /* Fine labels: cattle 19, dinosaur 29, apple 0, boy 11, aquarium_fish 1. */
    int n100 = file_records(data_path("cifar100/train.bin", p, sizeof p), 3074);
    CHECK(ds.n == n100 && ds.n >= 5 && ds.classes == 100 && ds.h == 32);
    if (ds.n >= 5)
        CHECK(ds.labels[0] == 19 && ds.labels[1] == 29 && ds.labels[2] == 0 && ds.labels[3] == 11 &&
              ds.labels[4] == 1);
    zc_dataset_free(&ds);

    CHECK_MSG(zc_dataset_load(&ds, ZC_IMAGENET16, data_path("imagenet16", p, sizeof p)) == ZC_OK,
              "%s", zc_last_error());
    /* The first records of the sample set (the official batches were not found: see the data README). */
    int n16 = file_records(data_path("imagenet16/imagenet16_120.bin", p, sizeof p), 769);
    CHECK(ds.n == n16 && ds.n >= 16 && ds.classes == 120 && ds.c == 3 && ds.h == 16 && ds.w == 16);
    for (int i = 0; i < ds.n; i++) CHECK(ds.labels[i] >= 0 && ds.labels[i] < 120);
    zc_batch b = {0};
    zc_batch_opts o = {.batch_size = 16, .n_batches = 1, .sampler = ZC_SAMPLER_RANDOM, .seed = 1,
                       .augment = 1};
    CHECK(zc_batches_make(&ds, &o, &b) == ZC_OK && b.h == 16 && b.w == 16);
    zc_batch_free(&b);
    zc_dataset_free(&ds);

    /* The CIFAR-10 file is not a CIFAR-100 one: its size is not a multiple of 3074. */
    CHECK(zc_dataset_load(&ds, ZC_CIFAR100, data_path("cifar10/data_batch_1.bin", p, sizeof p)) == ZC_EDATA);
    CHECK(msg_has("data_batch_1.bin") && msg_has("3074"));
    CHECK(ds.n == 0 && ds.pixels == NULL);
}

static void test_errors(void) {
    zc_dataset ds;
    mkdir(TMP, 0777);

    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP "/no_such_dir") == ZC_EIO);
    CHECK(msg_has("no_such_dir") && msg_has("data_batch_1.bin"));

    mkdir(TMP "/empty", 0777);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP "/empty") == ZC_EIO);
    CHECK(msg_has(TMP "/empty") && msg_has("data_batch_1.bin"));

    /* Two whole records and 100 stray bytes. */
    size_t n = 3073 * 2 + 100;
    unsigned char *buf = calloc(n, 1);
    write_file(TMP "/data_batch_1.bin", buf, n);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP) == ZC_EDATA);
    CHECK(msg_has(TMP "/data_batch_1.bin") && msg_has("6246 bytes") && msg_has("3073-byte"));
    CHECK(ds.pixels == NULL && ds.labels == NULL && ds.n == 0);

    /* A bad label in the second record. */
    buf[3073] = 200;
    write_file(TMP "/data_batch_1.bin", buf, 3073 * 2);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP) == ZC_EDATA);
    CHECK(msg_has(TMP "/data_batch_1.bin") && msg_has("record 1") && msg_has("200") && msg_has("0..9"));

    /* Fixed, plus a second file with a bad label in its first record: named. */
    buf[3073] = 3;
    write_file(TMP "/data_batch_1.bin", buf, 3073 * 2);
    buf[0] = 10;
    write_file(TMP "/data_batch_2.bin", buf, 3073);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP) == ZC_EDATA);
    CHECK(msg_has("data_batch_2.bin") && msg_has("record 0") && msg_has("label 10"));
    buf[0] = 9;
    write_file(TMP "/data_batch_2.bin", buf, 3073);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP) == ZC_OK && ds.n == 3 && ds.labels[1] == 3 &&
          ds.labels[2] == 9);
    zc_dataset_free(&ds);

    /* Empty file; CIFAR-100 coarse label out of range; a pickle gets a hint. */
    write_file(TMP "/empty.bin", buf, 0);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP "/empty.bin") == ZC_EDATA && msg_has("empty"));
    memset(buf, 0, 3074);
    buf[0] = 20;
    write_file(TMP "/c100.bin", buf, 3074);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR100, TMP "/c100.bin") == ZC_EDATA && msg_has("coarse label 20"));
    buf[0] = 19;
    buf[1] = 100;
    write_file(TMP "/c100.bin", buf, 3074);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR100, TMP "/c100.bin") == ZC_EDATA && msg_has("fine label 100"));
    buf[0] = 0x80;
    buf[1] = 2;
    write_file(TMP "/pickle.bin", buf, 3073);
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, TMP "/pickle.bin") == ZC_EDATA && msg_has("pickle"));
    free(buf);

    remove(TMP "/data_batch_1.bin");
    remove(TMP "/data_batch_2.bin");
    remove(TMP "/empty.bin");
    remove(TMP "/c100.bin");
    remove(TMP "/pickle.bin");
    rmdir(TMP "/empty");
    rmdir(TMP);
}

/* Where data is looked for: the explicit path, else $ZCNAS_DATA, else a message that names the data,
 * both ways to give it and where the official files are. */
static void test_data_root(void) {
    char buf[4096];
    setenv(ZC_DATA_ENV, "/some/root", 1);
    CHECK(zc_data_dataset_path(ZC_CIFAR100, NULL, buf, sizeof buf) == ZC_OK && !strcmp(buf, "/some/root/cifar100"));
    CHECK(zc_data_dataset_path(ZC_CIFAR100, "/mine", buf, sizeof buf) == ZC_OK && !strcmp(buf, "/mine"));
    CHECK(zc_data_bench_path("nb201_accuracy.csv", NULL, buf, sizeof buf) == ZC_EIO);
    CHECK(msg_has("/some/root/benchmarks/nb201_accuracy.csv") && msg_has("NATS-Bench"));
    CHECK(zc_data_bench_path("nb201_accuracy.csv", TMP "/none.csv", buf, sizeof buf) == ZC_EIO && msg_has("none.csv"));
    unsetenv(ZC_DATA_ENV);
    CHECK(zc_data_root() == NULL);
    CHECK(zc_data_dataset_path(ZC_CIFAR10, NULL, buf, sizeof buf) == ZC_EIO);
    CHECK(msg_has("cifar10") && msg_has("--data") && msg_has(ZC_DATA_ENV) && msg_has("cifar-10-binary.tar.gz"));
    CHECK(zc_data_bench_path("nb201_accuracy.csv", NULL, buf, sizeof buf) == ZC_EIO);
    CHECK(msg_has("--bench") && msg_has(ZC_DATA_ENV) && msg_has("benchmarks/nb201_accuracy.csv"));
    setenv(ZC_DATA_ENV, "", 1);   /* empty = unset */
    CHECK(zc_data_root() == NULL);
    setenv(ZC_DATA_ENV, data_root, 1);
    /* A data root without the dataset: the loader names the path and the source. */
    zc_dataset ds;
    CHECK(zc_dataset_load(&ds, ZC_CIFAR10, "/some/root/cifar10") == ZC_EIO && msg_has("/some/root/cifar10") &&
          msg_has("cifar-10-binary.tar.gz"));
}

int main(void) {
    const char *env = getenv(ZC_DATA_ENV);
    if (!env || !*env) {
        fprintf(stderr, "test_data: set %s to the data directory (scripts/test.sh does)\n", ZC_DATA_ENV);
        return 1;
    }
    snprintf(data_root, sizeof data_root, "%s", env);
    test_data_root();
    test_names();
    test_cifar10();
    test_other_datasets();
    test_errors();
    return check_report("test_data");
}
