#!/usr/bin/env python3
"""Compares zcnas's image decoding and transforms with PIL, i.e. with what torchvision 0.11 runs on
PIL images in ZiCo's ImageNet loader (ImageFolder + Resize/CenterCrop, RandomResizedCrop,
ColorJitter, xautodl's Lighting, RandomHorizontalFlip, ToTensor, Normalize).

torchvision itself is not needed: its PIL code paths are reproduced below from torchvision 0.11's
functional_pil.py / transforms.py (they only call PIL and numpy). All comparisons are exact.

The C side is the test_images binary (`test_images --tool ...`), found next to the workdir
(build/tests/oracle_images.work -> build/tests/test_images).
Exit 0 pass, 77 skip (numpy / PIL missing, or zcnas built without libjpeg/libpng), 1 fail.
"""
import argparse
import os
import subprocess
import sys

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", help="zcnas CLI (unused: the C side is test_images)")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    try:
        import numpy as np
        from PIL import Image, ImageEnhance
    except ImportError as e:
        print(f"SKIP: {e}")
        return 77

    os.makedirs(args.workdir, exist_ok=True)
    exe = os.path.join(os.path.dirname(os.path.abspath(args.workdir)), "test_images")
    if not os.access(exe, os.X_OK):
        print(f"FAIL: test helper not found at {exe} (build the test_images target)")
        return 1
    caps = subprocess.run([exe, "--tool", "caps"], capture_output=True, text=True).stdout.split()
    if caps != ["jpeg", "1", "png", "1"]:
        print(f"SKIP: zcnas built without libjpeg/libpng ({' '.join(caps)})")
        return 77

    BILINEAR = getattr(Image, "Resampling", Image).BILINEAR  # Pillow >= 9.1 moved the constants
    BICUBIC = getattr(Image, "Resampling", Image).BICUBIC
    ADAPTIVE = getattr(Image, "Palette", Image).ADAPTIVE
    FLIP_LR = getattr(Image, "Transpose", Image).FLIP_LEFT_RIGHT
    rng = np.random.default_rng(20240611)
    wd = args.workdir

    # ---- test images: smooth random content plus noise, various modes and codecs ----
    def natural(w, h, bands=3):
        low = rng.integers(0, 256, size=(max(2, h // 8), max(2, w // 8), bands), dtype=np.uint8)
        im = Image.fromarray(low if bands > 1 else low[:, :, 0]).resize((w, h), BICUBIC)
        a = np.asarray(im).astype(np.int16)
        a = a + rng.integers(-20, 21, size=a.shape)
        return np.clip(a, 0, 255).astype(np.uint8)

    files = {}

    def save(name, im, **kw):
        path = os.path.join(wd, name)
        im.save(path, **kw)
        files[name] = path

    save("rgb_q90.jpg", Image.fromarray(natural(97, 61)), quality=90)
    save("rgb_prog.jpg", Image.fromarray(natural(300, 200)), quality=75, progressive=True)
    save("rgb_444.jpg", Image.fromarray(natural(500, 375)), quality=95, subsampling=0)
    save("portrait.jpg", Image.fromarray(natural(187, 333)), quality=85)
    save("grey.jpg", Image.fromarray(natural(50, 70, 1)), quality=90)
    save("cmyk.jpg", Image.fromarray(natural(40, 30, 4), "CMYK"), quality=90)
    save("rgb.png", Image.fromarray(natural(33, 47)))
    save("rgba.png", Image.fromarray(natural(20, 25, 4), "RGBA"))
    save("l.png", Image.fromarray(natural(31, 9, 1)))
    save("la.png", Image.fromarray(natural(12, 13, 2), "LA"))
    save("bit.png", Image.fromarray(natural(17, 11, 1)).convert("1"))
    pal = Image.fromarray(natural(26, 19)).convert("P", palette=ADAPTIVE, colors=50)
    save("pal.png", pal, transparency=3)
    save("tiny.png", Image.fromarray(natural(5, 3)))
    # A PNG named .JPEG, as one file in the ImageNet training set is.
    Image.fromarray(natural(40, 44)).save(os.path.join(wd, "png_named.JPEG"), format="PNG")
    files["png_named.JPEG"] = os.path.join(wd, "png_named.JPEG")

    failures = 0
    n_checks = 0
    out = os.path.join(wd, "out.npy")

    def run(cmd):
        r = subprocess.run([exe, "--tool"] + cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip()
        return np.load(out), ""

    def compare(what, got, want, err=""):
        nonlocal failures, n_checks
        n_checks += 1
        if got is None:
            print(f"FAIL {what}: tool failed: {err}")
            failures += 1
            return
        want = np.asarray(want)
        if got.shape != want.shape:
            print(f"FAIL {what}: shape {got.shape} vs {want.shape}")
            failures += 1
        elif not np.array_equal(got.astype(want.dtype) if want.dtype != np.float32 else got, want):
            diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
            print(f"FAIL {what}: {int((diff > 0).sum())} values differ, max {diff.max():g}")
            failures += 1

    def rgb(path):
        return Image.open(path).convert("RGB")  # torchvision's pil_loader

    # ---- decoding ----
    for name, path in files.items():
        got, err = run(["decode", path, out])
        compare(f"decode {name}", got, np.asarray(rgb(path)).astype(np.float32), err)

    # ---- evaluation transforms: Resize(res * 256 // 224) + CenterCrop(res) + ToTensor + Normalize ----
    def tv_resize(img, size):  # torchvision 0.11 F_pil.resize with an int size
        w, h = img.size
        short, long = (w, h) if w <= h else (h, w)
        if short == size:
            return img
        new_short, new_long = size, int(size * long / short)
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return img.resize((new_w, new_h), BILINEAR)

    def tv_center_crop(img, s):
        w, h = img.size
        top, left = int(round((h - s) / 2.0)), int(round((w - s) / 2.0))
        return img.crop((left, top, left + s, top + s))

    def to_tensor_normalize(img):
        a = np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255)
        a = a.transpose(2, 0, 1)
        m = np.asarray(MEAN, dtype=np.float32).reshape(3, 1, 1)
        s = np.asarray(STD, dtype=np.float32).reshape(3, 1, 1)
        return (a - m) / s

    for name, path in files.items():
        for res in ((224, 32, 17) if name in ("rgb_444.jpg", "rgb_prog.jpg", "portrait.jpg") else (32, 17)):
            got, err = run(["eval", path, str(res), out])
            ref = to_tensor_normalize(tv_center_crop(tv_resize(rgb(path), res * 256 // 224), res))
            compare(f"eval {name} res {res}", got, ref, err)

    # ---- single operations with given parameters ----
    def f32(x):
        return float(np.float32(x))

    def adjust_hue(img, hue_factor):  # torchvision 0.11 F_pil.adjust_hue
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        with np.errstate(over="ignore", invalid="ignore"):
            np_h += np.uint8(hue_factor * 255)
        h = Image.fromarray(np_h, "L")
        return Image.merge("HSV", (h, s, v)).convert("RGB")

    eigval = np.asarray([0.2175, 0.0188, 0.0045])
    eigvec = np.asarray([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                         [-0.5836, -0.6948, 0.4203]])

    def lighting(img, rnd):  # xautodl Lighting.__call__ with rnd = randn(3) * alphastd given
        v = np.asarray(rnd, dtype=np.float32) * eigval
        inc = np.dot(eigvec, v.reshape((3, 1))).reshape((3,))
        a = np.clip(np.add(img, inc), 0, 255)
        return Image.fromarray(a.astype(np.uint8), "RGB")

    ops = []
    for w, h in ((61, 97), (224, 224), (13, 300), (150, 100), (130, 70)):
        ops.append((f"resize {w}x{h}", ["resize", str(w), str(h)],
                    lambda im, w=w, h=h: im.resize((w, h), BILINEAR)))
    for t, l, h, w, s in ((5, 7, 40, 50, 224), (0, 0, 61, 97, 16), (10, 20, 30, 30, 64), (3, 1, 50, 11, 32)):
        ops.append((f"resized_crop {t},{l},{h},{w}->{s}", ["resized_crop", str(t), str(l), str(h), str(w), str(s)],
                    lambda im, t=t, l=l, h=h, w=w, s=s: im.crop((l, t, l + w, t + h)).resize((s, s), BILINEAR)))
    for f in (0.6, 0.8123, 1.0, 1.2345, 1.4):
        f = f32(f)
        ops.append((f"brightness {f}", ["brightness", repr(f)],
                    lambda im, f=f: ImageEnhance.Brightness(im).enhance(f)))
        ops.append((f"contrast {f}", ["contrast", repr(f)], lambda im, f=f: ImageEnhance.Contrast(im).enhance(f)))
        ops.append((f"saturation {f}", ["saturation", repr(f)], lambda im, f=f: ImageEnhance.Color(im).enhance(f)))
    for f in (-0.5, -0.2, -0.0317, 0.0, 0.0011, 0.15, 0.2, 0.5):
        f = f32(f)
        ops.append((f"hue {f}", ["hue", repr(f)], lambda im, f=f: adjust_hue(im, f)))
    for rnd in ((0.1, -0.05, 0.02), (-0.2, 0.3, -0.1), (0.0, 0.0, 0.0), (0.013, -0.21, 0.07)):
        rnd = [f32(x) for x in rnd]
        ops.append((f"lighting {rnd}", ["lighting"] + [repr(x) for x in rnd], lambda im, r=rnd: lighting(im, r)))
    ops.append(("hflip", ["hflip"], lambda im: im.transpose(FLIP_LR)))

    for name in ("rgb_q90.jpg", "rgb_444.jpg", "cmyk.jpg"):
        path = files[name]
        for what, cmd, ref in ops:
            img = rgb(path)
            if cmd[0] == "resized_crop":
                t, l, h, w = map(int, cmd[1:5])
                if t + h > img.size[1] or l + w > img.size[0]:
                    continue
            got, err = run(["op", path, out] + cmd)
            compare(f"{what} on {name}", got, np.asarray(ref(img)).astype(np.float32), err)

    if failures:
        print(f"oracle_images: {failures} of {n_checks} comparisons failed")
        return 1
    print(f"oracle_images: PASS ({n_checks} exact comparisons with PIL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
