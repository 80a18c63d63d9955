/* TransNAS-Bench-101 (Duan et al., CVPR 2021): the micro space (4,096 cells on a fixed 41414 skeleton)
 * and the macro space (3,256 residual skeletons), with the benchmark's seven Taskonomy task heads
 * and losses. Networks follow the official code (NASLib's copy under
 * naslib/search_spaces/transbench101/tnb101/): MacroNet encoder + the task's decoder. */
#ifndef ZC_TNB101_H
#define ZC_TNB101_H
#include <stdint.h>
#include "zcnas/space.h"

#define ZC_TNB_MICRO_SIZE 4096
#define ZC_TNB_MACRO_SIZE 3256

typedef enum zc_tnb_task {
    ZC_TNB_CLASS_SCENE, ZC_TNB_CLASS_OBJECT, ZC_TNB_JIGSAW, ZC_TNB_ROOM_LAYOUT, ZC_TNB_SEGMENTSEMANTIC, ZC_TNB_NORMAL,
    ZC_TNB_AUTOENCODER, ZC_TNB_TASKS
} zc_tnb_task;

/* The order of zc_space.tasks ("class_scene,class_object,..."). */
extern const char *const zc_tnb_task_names[ZC_TNB_TASKS];
#define ZC_TNB_TASK_LIST "class_scene,class_object,jigsaw,room_layout,segmentsemantic,normal,autoencoder"

/* micro: 6 edge ops 0..3 (zero, skip, 1x1, 3x3) in the string's order a_bc_def; macro: 4..6 layer
 * digits 1..4 (bit 1: double the channels, digit > 2: stride 2). */
typedef struct zc_tnb_arch {
    uint8_t macro;   /* 1: macro space */
    uint8_t n;       /* digits used */
    uint8_t d[6];
} zc_tnb_arch;

zc_status zc_tnb_parse(int macro, const char *s, zc_tnb_arch *a);
void zc_tnb_format(const zc_tnb_arch *a, char *buf, size_t size);
/* The macro constraints: 1..4 stride-2 layers and 1..3 channel-doubling layers. */
int zc_tnb_macro_valid(const zc_tnb_arch *a);
/* Systematic position (micro: base-4 number of the ops; macro: rank among valid skeletons ordered by
 * length, then digits) and back: for sampling uniformly. */
int zc_tnb_code(const zc_tnb_arch *a);
void zc_tnb_from_code(int macro, int code, zc_tnb_arch *a);

/* Task heads: classes (class tasks, jigsaw), outputs per sample, input tiles (jigsaw 9), the loss. */
typedef struct zc_tnb_task_info {
    const char *name;
    int outputs;       /* classes or regression outputs (dense tasks: output channels) */
    int dense;         /* 1: the output is a map at the input resolution */
    int tiles;         /* jigsaw: 9 tiles of tile x tile */
    int resolution;    /* the benchmark's input size (jigsaw: the tile) */
    zc_loss loss;
    float mean[3], std[3];   /* input normalisation (std 0: none, ToTensor only) */
} zc_tnb_task_info;
const zc_tnb_task_info *zc_tnb_task_get(zc_tnb_task t);

zc_net *zc_tnb_build(const zc_tnb_arch *a, zc_tnb_task task, int resolution, const zc_build_opts *o);
/* One-line description of the encoder and the head. */
void zc_tnb_describe(const zc_tnb_arch *a, zc_tnb_task task, int resolution, FILE *f);

/* Taskonomy data (tnb101_data.c). */
zc_status zc_tnb_load_batches(const zc_space_ctx *ctx, const char *path, int batch_size, int n_batches, uint64_t seed,
                              zc_batch *out);

#endif
