"""Installation: the wheel `make python` and `make wheel` build installs, offline,
into a fresh environment of Debian's Python and imports from anywhere."""
import os
import subprocess
import sys
import zipfile

from conftest import SOURCE, data_path

RELEASE = os.path.abspath(os.environ.get("SHIPML_RELEASE_BUILD", os.path.join(SOURCE, "build", "release")))


def test_the_wheel_installs_offline_and_imports_outside_the_source_tree(tmp_path):
    built = subprocess.run(["bash", os.path.join(SOURCE, "scripts", "build-wheel.sh"), RELEASE, str(tmp_path / "wheel")],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = built.stdout.strip().splitlines()[-1]
    assert os.path.basename(wheel).startswith("shipml-") and "-cp311-cp311-linux_x86_64.whl" in wheel
    names = zipfile.ZipFile(wheel).namelist()
    for member in ("shipml/__init__.py", "shipml/sklearn.py", "shipml/sklearn.pyi", "shipml/py.typed"):
        assert member in names
    assert any(n.startswith("shipml/_core.cpython-311") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # --force-reinstall: into the environment even when the machine has shipml installed (make python).
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", "--no-deps",
                                "--force-reinstall", wheel], capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stderr
    check = ("import shipml, shipml.sklearn; "
             "m = shipml.Model('logistic').fit(shipml.read_csv(%r), target='Status'); "
             "print(shipml.__file__); print(m.predict(shipml.read_csv(%r).head(2)).tolist())"
             % (data_path("credit_data.csv"), data_path("credit_data.csv")))
    ran = subprocess.run([str(venv / "bin" / "python"), "-c", check], capture_output=True, text=True, env=env,
                         cwd=str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    where, predicted = ran.stdout.strip().splitlines()
    assert where.startswith(str(venv)) and predicted == "['good', 'good']"
