/* zcnas: training-free (zero-cost) neural architecture search. Umbrella header. */
#ifndef ZCNAS_H
#define ZCNAS_H
#include "zcnas/error.h"
#include "zcnas/rng.h"
#include "zcnas/net.h"
#include "zcnas/backend.h"
#include "zcnas/cost.h"
#include "zcnas/nb201.h"
#include "zcnas/plainnet.h"
#include "zcnas/data.h"
#include "zcnas/weights.h"
#include "zcnas/proxy.h"
#include "zcnas/stats.h"
#include "zcnas/bench_table.h"
#include "zcnas/buffers.h"
#include "zcnas/scorer.h"
#include "zcnas/eval.h"

#define ZCNAS_VERSION "0.1.0"

#endif
