/* Fuzzes the Taskonomy reader of TransNAS-Bench-101 (src/spaces/tnb101/tnb101_data.c, the space's
 * load_batches): a one-image Taskonomy folder is made once (rgb/, the label of each task, the class
 * selection mask, jigsaw's permutations); the first byte picks a file of it and the task that reads it
 * (permutations: jigsaw; class_scene label or selection mask: class_scene; room_layout label; the
 * segmentsemantic and normal PNG labels; the rgb image: autoencoder) and the rest of the input replaces
 * that file for one draw of a batch at 16 x 16 (restored afterwards).
 * Asserts: a failure leaves an error message that names the file (but for the mask, which shows through
 * the label); a batch has one sample of finite pixels and labels in the task's range (jigsaw's permutation
 * index, segmentsemantic's classes). */
#include <math.h>
#include "fuzz_common.h"
#include "spaces/tnb101/tnb101.h"
#include "zcnas/space.h"
#include "zcnas/weights.h"

/* The fixtures' images, written with libpng as tests/unit/test_images.c writes its own: a 5 x 4 RGB
 * pattern, and a 5 x 4 grey class map with values 0..17. */
static const unsigned char RGB_PNG[132] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0xc9, 0x51, 0x62,
    0x17, 0x00, 0x00, 0x00, 0x4b, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99, 0x01, 0x40, 0x00, 0xbf, 0xff,
    0x00, 0x07, 0x24, 0x41, 0x5e, 0x7b, 0x98, 0xb5, 0xd2, 0xef, 0x0c, 0x29, 0x46, 0x63, 0x80, 0x9d,
    0x00, 0xba, 0xd7, 0xf4, 0x11, 0x2e, 0x4b, 0x68, 0x85, 0xa2, 0xbf, 0xdc, 0xf9, 0x16, 0x33, 0x50,
    0x00, 0x6d, 0x8a, 0xa7, 0xc4, 0xe1, 0xfe, 0x1b, 0x38, 0x55, 0x72, 0x8f, 0xac, 0xc9, 0xe6, 0x03,
    0x04, 0xb3, 0xb3, 0xb3, 0x0a, 0x0a, 0x0a, 0xb3, 0xb3, 0xb3, 0x57, 0x57, 0x0a, 0x0a, 0x0a, 0xb3,
    0x96, 0x47, 0x1c, 0x35, 0xdf, 0xe0, 0x91, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
};
static const unsigned char SEG_PNG[81] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x63, 0x58, 0xaa,
    0x9c, 0x00, 0x00, 0x00, 0x18, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99, 0x63, 0x64, 0x60, 0x64, 0x64,
    0x64, 0x64, 0x64, 0x65, 0x64, 0x64, 0x64, 0x64, 0x81, 0x93, 0xef, 0x19, 0x01, 0x03, 0xc3, 0x01,
    0x18, 0x56, 0x89, 0x08, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
    0x82,
};

#define STEM "point_1_view_2_domain_"
enum { F_PERMS, F_SCENE, F_SELECTION, F_ROOM, F_SEGMENT, F_NORMAL, F_RGB, N_FILES };
static const char *const FILES[N_FILES] = {
    "permutations_hamming_max_1000.npy", "class_scene/" STEM "class_scene.npy", "class_scene_selected.npy",
    "room_layout/" STEM "room_layout.npy", "segmentsemantic/" STEM "segmentsemantic.png", "normal/" STEM "normal.png",
    "rgb/" STEM "rgb.png"};
static const char *const TASKS[N_FILES] = {"jigsaw", "class_scene", "class_scene", "room_layout", "segmentsemantic",
                                           "normal", "autoencoder"};

static char root[512];
static char *pristine[N_FILES];
static size_t pristine_len[N_FILES];
static zc_space_ctx *ctxs[N_FILES];

static void file_path(int f, char *buf, size_t cap) { snprintf(buf, cap, "%s/%s", root, FILES[f]); }

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);
    zcf_path(root, sizeof root, "taskonomy");
    zcf_mkdir(root);
    const char *dirs[] = {"rgb", "class_scene", "room_layout", "segmentsemantic", "normal"};
    char p[1024];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        zcf_mkdir(p);
    }
    static float perms[1000 * 9], scene[365], mask[365], room[9];
    for (int k = 0; k < 1000; k++)
        for (int i = 0; i < 9; i++) perms[k * 9 + i] = (float)((i + k) % 9);
    for (int i = 0; i < 365; i++) {
        scene[i] = (float)(i % 7 + 1) / 1000.0f;
        mask[i] = i % 5 == 0 && i / 5 < 63 ? 1.0f : 0.0f;
    }
    for (int i = 0; i < 9; i++) room[i] = (float)i - 4.0f;
    int s_perms[2] = {1000, 9}, s_scene = 365, s_room = 9;
    file_path(F_PERMS, p, sizeof p);
    ZCF_SETUP(zc_npy_write_f32(p, perms, 2, s_perms) == ZC_OK, p);
    file_path(F_SCENE, p, sizeof p);
    ZCF_SETUP(zc_npy_write_f32(p, scene, 1, &s_scene) == ZC_OK, p);
    file_path(F_SELECTION, p, sizeof p);
    ZCF_SETUP(zc_npy_write_f32(p, mask, 1, &s_scene) == ZC_OK, p);
    file_path(F_ROOM, p, sizeof p);
    ZCF_SETUP(zc_npy_write_f32(p, room, 1, &s_room) == ZC_OK, p);
    file_path(F_SEGMENT, p, sizeof p);
    zcf_write(p, SEG_PNG, sizeof SEG_PNG);
    file_path(F_NORMAL, p, sizeof p);
    zcf_write(p, RGB_PNG, sizeof RGB_PNG);
    file_path(F_RGB, p, sizeof p);
    zcf_write(p, RGB_PNG, sizeof RGB_PNG);
    for (int f = 0; f < N_FILES; f++) {
        file_path(f, p, sizeof p);
        pristine[f] = zcf_read(p, &pristine_len[f]);
        ZCF_SETUP(pristine[f], p);
        zc_space_config cfg = {0};
        cfg.task = TASKS[f];
        cfg.resolution = 16;
        ZCF_SETUP(zc_space_open(zc_space_find("tnb101-micro"), &cfg, &ctxs[f]) == ZC_OK, TASKS[f]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctxs[0]) setup();
    if (size < 1) return 0;
    int f = data[0] % N_FILES;
    const zc_space_ctx *ctx = ctxs[f];
    const zc_tnb_task_info *ti = zc_tnb_task_get((zc_tnb_task)ctx->task);
    char p[1024];
    file_path(f, p, sizeof p);
    zcf_write(p, data + 1, size - 1);
    zc_batch b;
    memset(&b, 0, sizeof b);
    zc_clear_error();
    zc_status st = ctx->space->load_batches(ctx, root, 1, 1, zcf_hash(data, size), &b);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "load_batches");
    /* A bad file is named (the mask only shows through the label it selects from). */
    const char *base = strrchr(FILES[f], '/') ? strrchr(FILES[f], '/') + 1 : FILES[f];
    ZCF_CHECK(st == ZC_OK || f == F_SELECTION || strstr(zc_last_error(), base), "%s: the error does not name %s: %s",
              ti->name, base, zc_last_error());
    if (st == ZC_OK) {
        ZCF_CHECK(b.n == 1 && b.x && b.h == 16 && b.w == 16, "%s: batch of %d, %d x %d", ti->name, b.n, b.h, b.w);
        for (size_t i = 0; i < (size_t)b.c * b.h * b.w; i++)
            ZCF_CHECK(isfinite(b.x[i]), "%s: pixel %zu is %g", ti->name, i, b.x[i]);
        int ny = b.y ? (b.y_dim > 0 ? b.y_dim : 1) : 0;
        for (int i = 0; i < ny; i++)
            ZCF_CHECK(b.y[i] >= 0 && b.y[i] < ti->outputs, "%s: label %d of %d", ti->name, b.y[i], ti->outputs);
    }
    zc_batch_free(&b);
    zcf_write(p, pristine[f], pristine_len[f]);
    return 0;
}
