"""Builds the zcnas Python package: zcnas/_zcnas.c (a C extension over libzcnas) and zcnas/__init__.py.

libzcnas is found, in this order:
  ZCNAS_BUILD=<cmake build dir>   link that build's libzcnas.a (a checkout: scripts/build.sh, then
                                  ZCNAS_BUILD=build python3 -m pip install --no-build-isolation ./python)
  pkg-config zcnas                 an installed library (cmake --install build)
No network access is needed: Debian's python3-dev and python3-setuptools are enough (no build isolation).
"""
import os, re, shlex, subprocess
from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)


def pkg_config(*args):
    return shlex.split(subprocess.run(["pkg-config", *args, "zcnas"], check=True, capture_output=True, text=True).stdout)


build = os.environ.get("ZCNAS_BUILD")
if build:
    build = os.path.abspath(build)
    lib = os.path.join(build, "libzcnas.a")
    if not os.path.exists(lib):
        raise SystemExit(f"zcnas: {lib} not found: build the library first (scripts/build.sh)")
    # the static library's own dependencies, as the build found them (pkg-config file of the build)
    pc = open(os.path.join(build, "zcnas.pc")).read()
    private = shlex.split(re.search(r"^Libs\.private:(.*)$", pc, re.M).group(1))
    compile_args = ["-I" + os.path.join(repo, "include")]
    link_args = [lib, *private]
else:
    try:
        compile_args, link_args = pkg_config("--cflags"), pkg_config("--libs")
    except (OSError, subprocess.CalledProcessError):
        raise SystemExit("zcnas: libzcnas not found: set ZCNAS_BUILD to a build directory, or install the "
                         "library (cmake --install build) so that pkg-config finds zcnas")

version = re.search(r'#define ZCNAS_VERSION "([^"]+)"', open(os.path.join(repo, "include", "zcnas", "zcnas.h")).read())
setup(
    name="zcnas",
    version=version.group(1) if version else "0",
    description="training-free (zero-cost) neural architecture search: ZiCo, epsilon, the baselines and the newer proxies",
    packages=["zcnas"],
    ext_modules=[Extension("zcnas._zcnas", ["zcnas/_zcnas.c"], extra_compile_args=["-std=c11", *compile_args],
                           extra_link_args=link_args)],
    python_requires=">=3.9",
)
