"""Builds the wheel: the Python sources here, plus shipml._core and its type
stubs from the project's CMake build (the release build folder, so `make`
and the wheel share one build). Used by `make python` and `make wheel`;
`SHIPML_BUILD_DIR` picks another build folder."""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("SHIPML_BUILD_DIR", os.path.join(ROOT, "build", "release")))


def version() -> str:
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(shipml VERSION ([0-9.]+)", f.read()).group(1)


class BuildWithCMake(build_py):
    """Builds shipml._core with CMake, then packs it beside the sources."""

    def run(self):
        # A build of its own, not a part of the make that may have started pip.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        subprocess.check_call(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release", "-DSHIPML_TESTS=OFF",
                               "-DSHIPML_PYTHON=ON", f"-DPython3_EXECUTABLE={sys.executable}"],
                              stdout=subprocess.DEVNULL, env=env)
        subprocess.check_call(["cmake", "--build", BUILD, "--target", "shipml_python", "-j", str(os.cpu_count() or 1)],
                              env=env)
        super().run()
        built = os.path.join(BUILD, "python", "shipml")
        target = os.path.join(self.build_lib, "shipml")
        for name in glob.glob(os.path.join(built, "_core*.so")) + [os.path.join(built, "sklearn.pyi")]:
            shutil.copy(name, target)


class BinaryDistribution(Distribution):
    """A wheel tagged for this Python and platform: it holds a compiled module."""

    def has_ext_modules(self):
        return True


setup(version=version(), cmdclass={"build_py": BuildWithCMake}, distclass=BinaryDistribution)
