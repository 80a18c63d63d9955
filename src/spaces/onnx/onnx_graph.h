/* An ONNX model (read with protobuf-c from the onnx.proto Debian ships) mapped onto the engine's ops
 * (internal to src/spaces/onnx/). */
#ifndef ZC_ONNX_GRAPH_H
#define ZC_ONNX_GRAPH_H
#include <stdio.h>
#include "zcnas/net.h"

/* Models larger than this are refused before they are read (a protobuf message is parsed whole). */
#define ZCI_ONNX_MAX_BYTES (2LL << 30)

typedef struct zci_onnx zci_onnx;

/* Reads and checks the model at path: a float32 image classifier whose graph has one 4-D NCHW input
 * and uses only the ops zci_onnx_build maps (errors name the file and the first node that fails). */
zc_status zci_onnx_load(const char *path, zci_onnx **out);
void zci_onnx_free(zci_onnx *m);
/* The MD5 of the file's bytes (its identity: a moved copy is the same model). */
const char *zci_onnx_md5(const zci_onnx *m);
/* The input's channels and size (H = W) and the classifier's outputs. */
void zci_onnx_shape(const zci_onnx *m, int *c, int *res, int *classes);
/* The network for res x res inputs (0: the size the model was exported for), parameters named as the
 * model's initialisers (PyTorch's state_dict keys when it was exported from PyTorch) and
 * uninitialised; shapes_only as zc_net_set_shapes_only. With `log`,
 * one line per mapped node ("name: Op -> zcnas op c x h x w"). NULL with zc_last_error set. */
zc_net *zci_onnx_build(const zci_onnx *m, int track_running_stats, int shapes_only, int res, FILE *log);
/* Copies the model's initialisers into the net's parameters of the same name (float32). */
zc_status zci_onnx_load_weights(const zci_onnx *m, zc_net *net);

#endif
