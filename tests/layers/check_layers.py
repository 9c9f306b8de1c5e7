#!/usr/bin/python3
"""Every include points down the layers (DESIGN.md), as CMakeLists.txt declares
them: its shipml_layer(...) calls, in order, are the layers from the bottom up,
with the folders (or, for `spec`, the files) each is built from. A file may
include its own layer and those below, never one above; and the runtime
layers (core, data, learning, model) include none of the libraries the
runtime leaves out (SQLite, PostgreSQL, Cairo, yaml-cpp, simdjson). The top
layer, serve_grpc, is declared in cmake/grpc.cmake (included after ui); no
other layer includes gRPC or the generated protocol code, since only the CLI
links them. No file includes <mpi.h> but src/distributed/mpi_communicator.cpp,
the MPI plugin: nothing else links libmpi.
Usage: check_layers.py SOURCE_DIR"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
# CMakeLists.txt includes cmake/grpc.cmake after its last layer: read in that order.
cmake = (root / "CMakeLists.txt").read_text() + (root / "cmake" / "grpc.cmake").read_text()
spec_sources = re.search(r"set\(SHIPML_SPEC_SOURCES ([^)]*)\)", cmake).group(1).split()
layers = []  # (name, folders), bottom up
for m in re.finditer(r"^shipml_layer\((\w+)([^)]*)\)", cmake, re.M):
    folders = re.search(r"DIRS ([\w ]+?)(?: LINK|$)", m.group(2))
    layers.append((m.group(1), folders.group(1).split() if folders else []))
rank = {name: i for i, (name, _) in enumerate(layers)}
runtime = set(re.search(r"set\(SHIPML_RUNTIME_LAYERS ([\w ]+)\)", cmake).group(1).split())
spec_stems = {pathlib.Path(p).with_suffix("").as_posix() for p in spec_sources}  # src/io/yaml_reader, ...
excluded = re.compile(r"#include <(sqlite3\.h|libpq-fe\.h|cairo|yaml-cpp/|simdjson)")
grpc_only = re.compile(r"#include <(grpc|google/protobuf/|grpc_predict_v2\.)")
mpi_only = re.compile(r"#include <mpi\.h>")
mpi_plugin = "src/distributed/mpi_communicator.cpp"


def layer_of(path: pathlib.Path):
    """The layer a file under src/ or include/shipml/ belongs to (None: not the library's)."""
    rel = path.relative_to(root).as_posix()
    if rel.startswith("include/shipml/"):
        rel = "src/" + rel[len("include/shipml/"):]
    if pathlib.Path(rel).with_suffix("").as_posix() in spec_stems:
        return "spec"
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "src":
        return None
    for name, folders in layers:
        if parts[1] in folders:
            return name
    return None


def resolve(include: str, including: pathlib.Path):
    for candidate in (root / "include" / include, root / "src" / include, including.parent / include):
        if candidate.exists():
            return candidate
    return None


problems = []
files = [p for d in ("include/shipml", "src") for p in (root / d).rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
for path in files:
    if mpi_only.search(path.read_text()) and path.relative_to(root).as_posix() != mpi_plugin:
        problems.append(f"{path.relative_to(root)} includes <mpi.h>, which only the MPI plugin ({mpi_plugin}) links")
    own = layer_of(path)
    if own is None:
        continue
    text = path.read_text()
    for m in re.finditer(r'^#include "([^"]+)"', text, re.M):
        target = resolve(m.group(1), path)
        other = layer_of(target) if target else None
        if other is not None and rank[other] > rank[own]:
            problems.append(f"{path.relative_to(root)} ({own}) includes {m.group(1)} ({other}), a layer above")
    if own != "serve_grpc":
        for m in grpc_only.finditer(text):
            problems.append(f"{path.relative_to(root)} ({own}) includes <{m.group(1)}>, which only serve_grpc links")
    if own in runtime:
        for m in excluded.finditer(text):
            problems.append(f"{path.relative_to(root)} ({own}, runtime) includes <{m.group(1)}>, which the runtime leaves out")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"layers: {len(files)} files, every include points down ({' < '.join(n for n, _ in layers)})")
