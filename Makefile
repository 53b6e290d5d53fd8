# The entry points a newcomer needs: `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CONFIG ?=

.PHONY: build run test unit e2e bench format clean bootstrap

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

clean:
	rm -rf $(BUILD_DIR)
