# The entry points a newcomer needs: `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CONFIG ?=

.PHONY: build run test unit e2e bench format clean bootstrap fuzz fuzz-smoke fuzz-build test-sanitize
# One instrumented build (clang-14: ASan + UBSan + libFuzzer coverage) in a
# directory of its own serves both the fuzz targets and the sanitized gateway
# and unit tests; docs/testing.md.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

bootstrap:
	@scripts/bootstrap build

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD_DIR)/Makefile
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/aiohub serve $(if $(CONFIG),--config $(CONFIG),)

test:
	@scripts/bootstrap test
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory e2e

unit:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e:
	cd tests/e2e && AIOHUB_BIN=$(CURDIR)/$(BUILD_DIR)/aiohub npm test

bench:
	@scripts/bootstrap all
	$(MAKE) --no-print-directory build
	bench/run

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/unit/*.cpp')

$(FUZZ_DIR)/Makefile:
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DAIOHUB_FUZZ=ON

fuzz-build:
	@scripts/bootstrap fuzz
	$(MAKE) --no-print-directory $(FUZZ_DIR)/Makefile
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

# Every target FUZZ_SECONDS seconds; a finding fails (fuzz/run says where it is).
fuzz: fuzz-build
	FUZZ_DIR=$(FUZZ_DIR) fuzz/run $(FUZZ_SECONDS)

# A few seconds each: the seeds and a little mutation (CI).
fuzz-smoke: fuzz-build
	FUZZ_DIR=$(FUZZ_DIR) fuzz/run $(FUZZ_SMOKE_SECONDS)

# Unit and end-to-end tests against the ASan + UBSan build; any sanitizer
# report fails the run (scripts/test-sanitize).
test-sanitize:
	@scripts/bootstrap test
	@scripts/bootstrap fuzz
	$(MAKE) --no-print-directory $(FUZZ_DIR)/Makefile
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target aiohub unit_tests
	scripts/test-sanitize $(FUZZ_DIR) $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
