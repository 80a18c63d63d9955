/* zcnas: training-free (zero-cost) neural architecture search. Umbrella header. */
#ifndef ZCNAS_H
#define ZCNAS_H
#include "zcnas/error.h"
#include "zcnas/rng.h"
#include "zcnas/net.h"
#include "zcnas/backend.h"
#include "zcnas/cost.h"
#include "zcnas/evaluators.h"
#include "zcnas/space.h"
#include "zcnas/data.h"
#include "zcnas/images.h"
#include "zcnas/text.h"
#include "zcnas/weights.h"
#include "zcnas/proxy.h"
#include "zcnas/run.h"
#include "zcnas/search.h"
#include "zcnas/stats.h"
#include "zcnas/bench_table.h"
#include "zcnas/eval.h"

#define ZCNAS_VERSION "0.3.0"  /* keep equal to project(VERSION) in CMakeLists.txt */

#endif
