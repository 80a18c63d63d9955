/* zcnas/dist.h in a build without MPI: every process is a job of one. */
#include "zcnas/dist.h"

int zc_dist_built(void) { return 0; }

zc_status zc_dist_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return ZC_OK;
}

int zc_dist_rank(void) { return 0; }
int zc_dist_size(void) { return 1; }
int zc_dist_local_size(void) { return 1; }
const zc_remote *zc_dist_remote(void) { return NULL; }

zc_status zc_dist_serve(const zc_run_opts *run)
{
    (void)run;
    return zc_fail(ZC_EUNSUPPORTED, "this zcnas was built without MPI (cmake -DZCNAS_MPI=ON)");
}

int zc_dist_finish(int code, const char *error)
{
    (void)error;
    return code;
}
