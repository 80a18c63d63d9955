/* Weights in and out: a directory of NumPy .npy files, one per tensor, named by the tensor's
 * key in the official PyTorch model's state_dict() (e.g. stem.0.weight.npy). */
#ifndef ZCNAS_WEIGHTS_H
#define ZCNAS_WEIGHTS_H
#include <stdint.h>
#include "zcnas/net.h"

#define ZC_NPY_MAX_DIMS 8

/* Writes a little-endian float32 ('<f4') C-order array. */
zc_status zc_npy_write_f32(const char *path, const float *data, int ndim, const int *shape);
zc_status zc_npy_write_i64(const char *path, const int64_t *data, int ndim, const int *shape);
/* Reads '<f4' or '<f8' (converted to float32), C order. *data is malloc'ed. */
zc_status zc_npy_read_f32(const char *path, float **data, int *ndim, int shape[ZC_NPY_MAX_DIMS]);

/* Saves every parameter (and, for batch norms with running stats, running_mean = 0,
 * running_var = 1 and num_batches_tracked = 0) so that torch load_state_dict(strict=True) works. */
zc_status zc_net_save_weights(zc_net *net, const char *dir);
/* Loads every parameter from dir; a missing file, a shape mismatch or a non-finite value is an error
 * naming it. Running stats are checked (shape, finite, variance >= 0) but not used. */
zc_status zc_net_load_weights(zc_net *net, const char *dir);

#endif
