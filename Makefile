# The two front-door commands (see README.md):
#   make quickstart   install, build, and run shipml end to end on bundled data
#   make test         install, build (with sanitizers) and run every test
JOBS ?= $(shell nproc)
BUILD ?= build/release
TEST_BUILD ?= build/test

.PHONY: deps build quickstart test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSHIPML_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

quickstart: build
	@bash scripts/quickstart.sh $(BUILD)/shipml

test: deps
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHIPML_SANITIZE=ON -DSHIPML_BENCH=OFF >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf build
