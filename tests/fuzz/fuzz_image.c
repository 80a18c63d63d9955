/* Fuzzes image decoding (src/data/image_decode.c, zc_image_load: JPEG through libjpeg, PNG through
 * libpng, recognised by their first bytes): the input is written to a file and decoded.
 * Asserts: a failure leaves an error message and no pixels; a decoded image has a positive size within
 * ZC_IMAGE_MAX_PIXELS and w * h * 3 bytes of pixels (all read here, so that ASan checks the buffer). */
#include "fuzz_common.h"
#include "zcnas/images.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512];
    if (!path[0]) zcf_path(path, sizeof path, "image");
    zcf_write(path, data, size);
    zc_image img;
    zc_clear_error();
    zc_status st = zc_image_load(path, &img);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_image_load");
    if (st != ZC_OK) {
        ZCF_CHECK(!img.px && !img.w && !img.h, "a failed decode leaves pixels");
        return 0;
    }
    ZCF_CHECK(img.px && img.w > 0 && img.h > 0 && (int64_t)img.w * img.h <= ZC_IMAGE_MAX_PIXELS, "decoded %d x %d",
              img.w, img.h);
    unsigned sum = 0;
    for (size_t i = 0; i < (size_t)img.w * img.h * 3; i++) sum += img.px[i];
    volatile unsigned sink = sum;
    (void)sink;
    zc_image_free(&img);
    return 0;
}
