"""Checks deploy/ statically, since no Docker engine or cluster runs here.

- The Dockerfile's build stage makes shipml's Debian package and its runtime stage
  installs it: the package's dependencies (and the packages the stage adds)
  provide every shared library the release binary links (its NEEDED entries,
  located by `ldd`); the build stage copies only paths that exist.
- The image's command (ENTRYPOINT + CMD) and the Kubernetes container args parse:
  `shipml serve ... --check` loads a real model with them and exits 0.
- The HEALTHCHECK and the probes ask for paths the server answers with 200.
- The manifests fit together: Service -> container port, HPA -> Deployment.
- The batch CronJob runs for real: its command scores a table with a registry
  model, with the database URI pointing at a SQLite file and the registry at a
  folder; it runs as non-root on a read-only root, one job at a time, with a
  memory limit above its --memory budget.
Usage: check_deploy.py SOURCE_DIR RELEASE_BINARY
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

src, binary = sys.argv[1], sys.argv[2]
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


dockerfile = open(os.path.join(src, "deploy/Dockerfile")).read().replace("\\\n", " ")
stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
build = next(s for s in stages if " AS build" in s.splitlines()[0])
runtime = next(s for s in stages if " AS runtime" in s.splitlines()[0])


def apt_packages(stage):
    packages = set()
    for m in re.finditer(r"apt-get install ([^&\n]*)", stage):
        packages |= {w for w in m.group(1).split() if not w.startswith("-")}
    return packages


# 1. The image installs shipml's own Debian package (built the way the build
# stage builds it, from the release build this test is given), and apt brings
# its dependencies. Each library the binary names (NEEDED) must come from that
# package's dependencies or a package the runtime stage installs itself.
installed = apt_packages(runtime)
local_debs = {p for p in installed if p.endswith(".deb")}
runtime_packages = installed - local_debs
check(any(re.search(r"shipml_[^/]*\.deb$", p) for p in local_debs), "the runtime stage does not install shipml's package")
check(re.search(r"^COPY --from=build \S*packages/shipml_\*\.deb ", runtime, flags=re.M) is not None,
      "the runtime stage does not copy the package the build stage makes")
check("cpack -G DEB" in build, "the build stage does not build the Debian package")
packages = tempfile.mkdtemp()
subprocess.run(["cpack", "-G", "DEB", "-D", "CPACK_COMPONENTS_ALL=cli", "-B", packages], cwd=os.path.dirname(binary),
               check=True, capture_output=True)
deb = next(os.path.join(packages, f) for f in os.listdir(packages) if f.startswith("shipml_") and f.endswith(".deb"))
depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True, check=True).stdout
runtime_packages |= {d.split()[0] for d in depends.replace("|", ",").split(",") if d.strip()}
contents = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
check(" ./usr/bin/shipml\n" in contents, "the package does not put shipml on PATH (/usr/bin/shipml)")
needed = set(re.findall(r"NEEDED\s+(\S+)", subprocess.run(["objdump", "-p", binary], capture_output=True, text=True,
                                                             check=True).stdout))
check(len(needed) > 0, "objdump found no NEEDED libraries")
for line in subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    m = re.search(r"^\s*(\S+) => (/\S+) \(0x", line)
    if not m or m.group(1) not in needed:
        continue
    path = m.group(2)
    owner = None
    for candidate in (path, os.path.realpath(path), "/usr" + path):
        r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if r.returncode == 0:
            owner = r.stdout.split(":")[0]
            break
    check(owner is not None, f"no Debian package owns {path}")
    check(owner in runtime_packages, f"{path} comes from {owner}, which neither shipml's package nor the runtime stage "
                                     f"installs (they bring: {' '.join(sorted(runtime_packages))})")
for m in re.finditer(r"^COPY (?!--from)(\S+)", build, flags=re.M):
    check(os.path.exists(os.path.join(src, m.group(1))), f"the build stage copies {m.group(1)}, which does not exist")

# 2. The commands parse and load a model.
work = tempfile.mkdtemp()
model = os.path.join(work, "model.shipml")
subprocess.run([binary, "-q", "train", "--data", os.path.join(src, "data/iris.csv"), "--target", "species",
                "-e", "logistic", "-o", model], check=True, capture_output=True)
entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", runtime, flags=re.M).group(1))
cmd = json.loads(re.search(r"^CMD (\[.*\])$", runtime, flags=re.M).group(1))
check(entrypoint[0] == "shipml" and entrypoint[1] == "serve", f"ENTRYPOINT is {entrypoint}")


def parses(args, what):
    args = [model if a == "/models/model.shipml" else a for a in args]
    r = subprocess.run([binary, "serve", *args, "--check"], capture_output=True, text=True)
    check(r.returncode == 0, f"{what}: `shipml serve {shlex.join(args)} --check` failed: {r.stderr.strip()}")
    return r.stderr


out = parses(entrypoint[2:] + cmd, "Dockerfile ENTRYPOINT + CMD")
check("would listen on 0.0.0.0:8080" in out, f"the image does not listen on 0.0.0.0:8080: {out}")

manifests = {}
for name in os.listdir(os.path.join(src, "deploy/kubernetes")):
    for doc in yaml.safe_load_all(open(os.path.join(src, "deploy/kubernetes", name))):
        manifests[doc["kind"]] = doc
check(set(manifests) == {"Deployment", "Service", "HorizontalPodAutoscaler", "CronJob"}, f"manifests: {sorted(manifests)}")
deployment = manifests["Deployment"]
container = deployment["spec"]["template"]["spec"]["containers"][0]
parses(container["args"], "Kubernetes container args")
port_arg = int(container["args"][container["args"].index("--port") + 1])
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
check(ports.get("http") == port_arg, f"containerPort {ports} is not the --port {port_arg} the server listens on")
check(manifests["Service"]["spec"]["ports"][0]["targetPort"] in ports, "the Service targets a port the pod lacks")
check(manifests["Service"]["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"],
      "the Service selects other pods than the Deployment runs")
target = manifests["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
check(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"], f"HPA targets {target}")
check(container["securityContext"]["readOnlyRootFilesystem"], "the container's root filesystem is writable")
check(re.search(r"^USER (?!root|0\b)\S+", runtime, flags=re.M) is not None, "the image runs as root")



def mebibytes(quantity):
    """A Kubernetes or shipml memory size (768Mi, 256M, 1G) in MiB."""
    m = re.fullmatch(r"(\d+)([KMG])i?", quantity)
    return int(m.group(1)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(2)]


cron = manifests["CronJob"]
job = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
batch = job["containers"][0]
check(cron["spec"].get("concurrencyPolicy") == "Forbid", "the CronJob lets two scoring jobs overlap")
check(job.get("restartPolicy") in ("Never", "OnFailure"), "the job's pods restart forever")
check(job["securityContext"].get("runAsNonRoot") is True, "the batch job may run as root")
check(batch["securityContext"]["readOnlyRootFilesystem"], "the batch container's root filesystem is writable")
check(batch["command"] == ["shipml"], f"the batch container runs {batch['command']}, not shipml")
budget = batch["args"][batch["args"].index("--memory") + 1]
check(mebibytes(batch["resources"]["limits"]["memory"]) > mebibytes(budget),
      f"the memory limit {batch['resources']['limits']['memory']} leaves no room beside --memory {budget}")
# Run it: a registry holding the model at the stage the job names, and a
# SQLite database standing in for the job's DATABASE_URI.
import sqlite3  # noqa: E402
import csv  # noqa: E402

registry = os.path.join(work, "runs")
reference = batch["args"][batch["args"].index("--model") + 1]
name, stage = reference[len("models:/"):].split("/")
churn = os.path.join(src, "data/churn.csv")
churn_model = os.path.join(work, "churn.shipml")
env = dict(os.environ, SHIPML_TRACKING_URI=registry)
subprocess.run([binary, "-q", "train", "--data", churn, "--target", "churn", "-e", "logistic", "-o", churn_model],
               check=True, capture_output=True, env=env)
subprocess.run([binary, "registry", "register", name, churn_model], check=True, capture_output=True, env=env)
subprocess.run([binary, "registry", "promote", name, "1", "--stage", stage], check=True, capture_output=True, env=env)
database = os.path.join(work, "shop.db")
table = batch["args"][batch["args"].index("--table") + 1]
id_column = batch["args"][batch["args"].index("--id") + 1]
with open(churn) as f, sqlite3.connect(database) as db:
    rows = list(csv.reader(f))
    header = [id_column] + rows[0]
    db.execute(f"CREATE TABLE {table} ({', '.join(header)})")
    db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})",
                   [[i] + [float(v) if re.fullmatch(r"[-\d.]+", v) else v for v in r] for i, r in enumerate(rows[1:])])
uri = "sqlite://" + database
args = [uri if a == "$(DATABASE_URI)" else a for a in batch["args"]]
r = subprocess.run([binary, *args], capture_output=True, text=True, env=env)
check(r.returncode == 0, f"the CronJob's command failed: shipml {shlex.join(args)}: {r.stderr.strip()}")
if r.returncode == 0:
    out_table = batch["args"][batch["args"].index("--out-table") + 1]
    with sqlite3.connect(database) as db:
        scored = db.execute(f"SELECT COUNT(*), COUNT(DISTINCT {id_column}) FROM {out_table}").fetchone()
    check(scored == (len(rows) - 1, len(rows) - 1), f"the job wrote {scored} rows and ids, not {len(rows) - 1}")

# 3. Health paths the image and the probes use are answered.
paths = [re.search(r"HEALTHCHECK .*?http://127\.0\.0\.1:8080(\S+)", runtime).group(1),
         container["readinessProbe"]["httpGet"]["path"], container["livenessProbe"]["httpGet"]["path"],
         deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"]]
server = subprocess.Popen([binary, "serve", model, "--port", "0", "--no-access-log"], stderr=subprocess.PIPE, text=True)
try:
    line = server.stderr.readline()
    while "listening on" not in line:
        line = server.stderr.readline()
        check(line != "", "the server did not start")
        if not line:
            break
    port = int(re.search(r":(\d+) with", line).group(1))
    for path in paths:
        status = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).status
        check(status == 200, f"GET {path} answered {status}")
finally:
    server.terminate()
    check(server.wait(timeout=15) == 0, "the server did not stop cleanly on SIGTERM")

if failures:
    print("\n".join("deploy: " + f for f in failures))
    sys.exit(1)
print(f"deploy: runtime packages cover {binary}'s libraries; command, probes and manifests check out")
