# The two front-door commands (see README.md):
#   make quickstart   install, build, and run shipml end to end on bundled data
#   make test         install, build (with sanitizers) and run every test; the
#                     release binary and Python module are built too, for the
#                     deploy/ checks and the Python tests
# and what installs:
#   make python       install `import shipml` for /usr/bin/python3
#   make wheel        a wheel for other machines, in build/wheel
#   make packages     Debian packages (shipml, libshipml0.N, libshipml-dev,
#                     python3-shipml) in build/release/packages
JOBS ?= $(shell nproc)
# Let ccache share results between checkouts in different folders (CI clones anew).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
BUILD ?= build/release
TEST_BUILD ?= build/test

RELEASE_CONFIG = -DCMAKE_BUILD_TYPE=Release -DSHIPML_TESTS=OFF -DSHIPML_PYTHON=ON

.PHONY: deps build quickstart test bench fuzz clean python wheel packages

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(RELEASE_CONFIG) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

quickstart: build
	@bash scripts/quickstart.sh $(BUILD)/shipml

test: deps
	@cmake -S . -B $(BUILD) $(RELEASE_CONFIG) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHIPML_SANITIZE=ON -DSHIPML_BENCH=OFF \
	  -DSHIPML_RELEASE_CLI=$(CURDIR)/$(BUILD)/shipml -DSHIPML_RELEASE_PYTHON=$(CURDIR)/$(BUILD)/python >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

python: deps
	@cmake -S . -B $(BUILD) $(RELEASE_CONFIG) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target shipml_python
	@bash scripts/install-python.sh $(BUILD)

wheel: deps
	@cmake -S . -B $(BUILD) $(RELEASE_CONFIG) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target shipml_python
	@bash scripts/build-wheel.sh $(BUILD) build/wheel

packages: build
	@cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/packages/*.deb

bench: build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf build

# Coverage-guided fuzzing with libFuzzer (clang), FUZZ_SECONDS per harness.
FUZZ_SECONDS ?= 60
fuzz: deps
	@CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHIPML_FUZZ=ON -DSHIPML_TESTS=OFF -DSHIPML_BENCH=OFF >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target fuzz_model_file fuzz_model_structure fuzz_csv fuzz_http
	@mkdir -p build/fuzz/corpus/model_file build/fuzz/corpus/csv build/fuzz/corpus/http
	build/fuzz/fuzz/fuzz_model_file -artifact_prefix=build/fuzz/ -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/model_file tests/golden fuzz/corpus/model_file
	@mkdir -p build/fuzz/corpus/model_structure
	build/fuzz/fuzz/fuzz_model_structure -artifact_prefix=build/fuzz/ -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/model_structure tests/golden
	build/fuzz/fuzz/fuzz_csv -artifact_prefix=build/fuzz/ -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/csv fuzz/corpus/csv
	build/fuzz/fuzz/fuzz_http -artifact_prefix=build/fuzz/ -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/http fuzz/corpus/http
