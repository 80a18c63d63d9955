/* Parameter and FLOP (multiply-accumulate) counts with the NAS-Bench-201 API rules
 * (xautodl get_model_infos): conv k*k*Cin*Cout/groups*Hout*Wout (+Cout*Hout*Wout with bias),
 * linear in*out (+out with bias); pooling, batch norm and ReLU are free. */
#ifndef ZCNAS_COST_H
#define ZCNAS_COST_H
#include <stdint.h>
#include "zcnas/net.h"

int64_t zc_net_param_count(const zc_net *net);
int64_t zc_net_flops(const zc_net *net);
/* Memory (bytes) one forward and backward pass of `batch` samples needs at most, estimated from the
 * shapes alone (works on a zc_build_opts.shapes_only network): what runs check before building. */
int64_t zc_net_memory_bytes(const zc_net *net, int batch);

#endif
