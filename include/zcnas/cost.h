/* Parameter and FLOP (multiply-accumulate) counts with the NAS-Bench-201 API rules
 * (xautodl get_model_infos): conv k*k*Cin*Cout/groups*Hout*Wout (+Cout*Hout*Wout with bias),
 * linear in*out (+out with bias); pooling, batch norm and ReLU are free. */
#ifndef ZCNAS_COST_H
#define ZCNAS_COST_H
#include <stdint.h>
#include "zcnas/net.h"

int64_t zc_net_param_count(const zc_net *net);
int64_t zc_net_flops(const zc_net *net);

#endif
