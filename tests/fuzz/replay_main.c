/* A main for a libFuzzer harness without libFuzzer (any compiler): calls LLVMFuzzerTestOneInput once
 * on every file named on the command line and on every file in the folders named there (in name
 * order), and exits 0 when none of them made the harness abort. The ctest test fuzz_regressions runs
 * each harness this way on its seed corpus and its regression inputs. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz_common.h"

static int replay_file(const char *path)
{
    size_t n = 0;
    char *data = zcf_read(path, &n);
    if (!data) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        return -1;
    }
    /* A copy of exactly n bytes, so that ASan sees a read past the input as libFuzzer's run would. */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) abort();
    memcpy(copy, data, n);
    free(data);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    return 1;
}

int main(int argc, char **argv)
{
    int count = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            int r = replay_file(argv[i]);
            if (r < 0) bad = 1;
            else count += r;
            continue;
        }
        struct dirent **list;
        int n = scandir(argv[i], &list, NULL, alphasort);
        if (n < 0) {
            fprintf(stderr, "replay: %s: cannot list\n", argv[i]);
            bad = 1;
            continue;
        }
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
            if (list[k]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                int r = replay_file(path);
                if (r < 0) bad = 1;
                else count += r;
            }
            free(list[k]);
        }
        free(list);
    }
    printf("%s: %d input%s replayed\n", argc > 0 ? argv[0] : "replay", count, count == 1 ? "" : "s");
    return bad;
}
