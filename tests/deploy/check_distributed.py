"""Checks deploy/mpi/ and the Dockerfile's training stage statically, since no
cluster, Kubernetes or Slurm runs here; the commands in them run for real under
this machine's mpirun, with their paths pointed at bundled data.

- The MPIJob (Kubeflow MPI operator v2beta1): mpirun's -np equals the workers
  times their slots; threads= is each rank's share of a worker's CPUs; the
  workers run the sshd the image configures, on the port the probe asks; the
  launcher's shipml command trains a model under mpirun.
- The Slurm script parses; srun starts one rank per task with --threads from
  --cpus-per-task; its shipml command runs under mpirun (srun stands for it).
- The training stage installs shipml's package and its MPI plugin's package,
  whose dependencies provide every library the plugin links; the serving
  stage installs neither OpenMPI nor the plugin, and the shipml binary does
  not link libmpi.
Usage: check_distributed.py SOURCE_DIR RELEASE_BINARY
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

src, binary = sys.argv[1], sys.argv[2]
build = os.path.dirname(os.path.abspath(binary))
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


mpirun = shutil.which("mpirun")
plugin = os.path.join(build, "libshipml_mpi.so")
if not mpirun or not os.path.exists(plugin):
    print(f"deploy/mpi: skipped: {'mpirun' if not mpirun else plugin} is missing (a build without MPI)")
    sys.exit(77)

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none",
           SHIPML_TRACKING="off", PATH=build + os.pathsep + os.environ["PATH"])
work = tempfile.mkdtemp()


def run_shipml_under_mpirun(args, ranks, what):
    r = subprocess.run([mpirun, "-np", str(ranks), *args], capture_output=True, text=True, env=env, timeout=300)
    check(r.returncode == 0, f"{what}: `mpirun -np {ranks} {shlex.join(args)}` failed: {r.stderr.strip()[-2000:]}")
    return r


# 1. The MPIJob.
job = yaml.safe_load(open(os.path.join(src, "deploy/mpi/mpijob.yaml")))
check(job["apiVersion"] == "kubeflow.org/v2beta1" and job["kind"] == "MPIJob", "mpijob.yaml is not a v2beta1 MPIJob")
spec = job["spec"]
check(spec.get("mpiImplementation") == "OpenMPI", "the MPIJob does not say OpenMPI (Debian's MPI)")
check(spec["runPolicy"].get("backoffLimit") == 0, "a failed MPIJob is retried (a bad shard fails again)")
launcher = spec["mpiReplicaSpecs"]["Launcher"]
worker = spec["mpiReplicaSpecs"]["Worker"]
check(launcher["replicas"] == 1, "the MPIJob has more than one launcher")
lc = launcher["template"]["spec"]["containers"][0]
wc = worker["template"]["spec"]["containers"][0]
check(lc["image"] == wc["image"], "the launcher and the workers run different images")
command = lc["command"] + lc["args"]
check(command[0] == "mpirun", f"the launcher runs {command[0]}, not mpirun")
np_ = int(command[command.index("-np") + 1])
slots = spec.get("slotsPerWorker", 1)
check(np_ == worker["replicas"] * slots,
      f"mpirun -np {np_} is not the workers' slots ({worker['replicas']} workers x {slots})")
shipml_args = command[command.index("shipml") + 1:]
cpus = int(str(wc["resources"]["limits"]["cpu"]))
threads = int(next(a for a in shipml_args if a.startswith("threads="))[len("threads="):])
check(threads * slots == cpus, f"threads={threads} x {slots} slots is not the worker's {cpus} CPUs")
check(wc["resources"]["limits"].get("memory"), "the workers have no memory limit")
check(wc["command"] == ["/usr/sbin/sshd"], f"the workers run {wc['command']}, not sshd")
sshd_config = wc["args"][wc["args"].index("-f") + 1]
check(wc["readinessProbe"]["tcpSocket"]["port"] == 2222, "the workers' probe does not ask sshd's port 2222")
uid = worker["template"]["spec"]["securityContext"]["runAsUser"]
check(launcher["template"]["spec"]["securityContext"]["runAsUser"] == uid, "launcher and workers run as other users")

# The training command, on sharded bundled data: churn.csv cut into three files.
churn = open(os.path.join(src, "data/churn.csv")).read().splitlines(keepends=True)
parts = os.path.join(work, "train")
os.makedirs(parts)
header, rows = churn[0], churn[1:]
for i in range(3):
    with open(os.path.join(parts, f"part-{i}.csv"), "w") as f:
        f.write(header + "".join(rows[i * len(rows) // 3:(i + 1) * len(rows) // 3]))
local = []
for a in shipml_args:
    a = a.replace("/data/train", parts).replace("/models", work)
    local.append(a)
local[local.index("--target") + 1] = "churn"
local = ["threads=1" if a.startswith("threads=") else "n_estimators=20" if a.startswith("n_estimators=") else a
         for a in local]
run_shipml_under_mpirun(["shipml", *local], 2, "the MPIJob's command")
check(os.path.exists(os.path.join(work, "model.shipml")), "the MPIJob's command wrote no model")

# 2. The Slurm script.
script = os.path.join(src, "deploy/mpi/slurm-search.sbatch")
check(subprocess.run(["bash", "-n", script]).returncode == 0, "slurm-search.sbatch does not parse")
text = open(script).read()
sbatch = dict(re.findall(r"^#SBATCH --([\w-]+)=(\S+)", text, flags=re.M))
for key in ("nodes", "ntasks-per-node", "cpus-per-task", "time"):
    check(key in sbatch, f"slurm-search.sbatch sets no --{key}")
srun_line = re.search(r"^srun .*?(?<!\\)$", text.replace("\\\n", " "), flags=re.M).group(0)
check('--threads "${SLURM_CPUS_PER_TASK}"' in srun_line, "srun's shipml does not take --threads from --cpus-per-task")
# srun starts the ranks on a cluster; here mpirun does, with two of them.
bin_dir = os.path.join(work, "bin")
os.makedirs(bin_dir)
with open(os.path.join(bin_dir, "srun"), "w") as f:
    f.write('#!/bin/sh\n[ "$1" = "--mpi=pmix" ] && shift\nexec mpirun -np 2 "$@"\n')
os.chmod(os.path.join(bin_dir, "srun"), 0o755)
slurm_env = dict(env, PATH=bin_dir + os.pathsep + env["PATH"], SLURM_CPUS_PER_TASK="1",
                 DATA=os.path.join(src, "data/churn.csv"), OUT=os.path.join(work, "slurm"))
small = text.replace("--grid learning_rate=0.03,0.05,0.1,0.2", "--grid learning_rate=0.1,0.2") \
            .replace("--grid min_samples_leaf=10,20,50,100", "--set n_estimators=10").replace("--cv 5", "--cv 2")
small_script = os.path.join(work, "search.sbatch")
open(small_script, "w").write(small)
r = subprocess.run(["bash", small_script], capture_output=True, text=True, env=slurm_env, timeout=300)
check(r.returncode == 0, f"the Slurm script failed under mpirun: {r.stderr.strip()[-2000:]}")
check(os.path.exists(os.path.join(work, "slurm/churn-search/best.shipml")), "the Slurm search wrote no best.shipml")

# 3. The images.
dockerfile = open(os.path.join(src, "deploy/Dockerfile")).read().replace("\\\n", " ")
stages = {s.splitlines()[0].split(" AS ")[1].strip(): s for s in re.split(r"^FROM ", dockerfile, flags=re.M)[1:]}
training, runtime = stages.get("training", ""), stages["runtime"]
check("shipml-mpi_*.deb" in training and "shipml_*.deb" in training, "the training stage lacks shipml or its MPI plugin")
check("openmpi" not in runtime and "shipml-mpi" not in runtime, "the serving image installs OpenMPI or the MPI plugin")
check(f"--uid {uid} " in training, f"the training image has no user {uid}, the one the MPIJob runs as")
check(f"> {sshd_config}" in training, f"the training image writes no {sshd_config}, the workers' sshd configuration")
check('"Port 2222"' in training, "the training image's sshd does not listen on 2222")
check(spec["sshAuthMountPath"] + "/authorized_keys" in training, "sshd does not read the keys the operator mounts")
needed = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True).stdout
check("libmpi" not in needed, "the shipml binary links libmpi: serving images would need OpenMPI")
packages = tempfile.mkdtemp()
subprocess.run(["cpack", "-G", "DEB", "-D", "CPACK_COMPONENTS_ALL=mpi", "-B", packages], cwd=build, check=True,
               capture_output=True)
debs = [f for f in os.listdir(packages) if f.startswith("shipml-mpi_") and f.endswith(".deb")]
check(len(debs) == 1, f"cpack made no shipml-mpi package: {os.listdir(packages)}")
if debs:
    deb = os.path.join(packages, debs[0])
    depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True, check=True).stdout
    provided = {d.split()[0] for d in depends.replace("|", ",").split(",") if d.strip()}
    check("openmpi-bin" in provided, f"shipml-mpi does not bring mpirun (openmpi-bin): {depends.strip()}")
    for line in subprocess.run(["ldd", plugin], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.search(r"^\s*(libmpi\S*) => (/\S+) \(0x", line)
        if m:
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(m.group(2))], capture_output=True, text=True)
            name = owner.stdout.split(":")[0]
            check(name in provided, f"{m.group(1)} comes from {name}, which shipml-mpi does not depend on ({depends.strip()})")

if failures:
    print("\n".join("deploy/mpi: " + f for f in failures))
    sys.exit(1)
print("deploy/mpi: the MPIJob, the Slurm script and the training image check out; their commands ran under mpirun")
