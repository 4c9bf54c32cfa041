# Thin wrapper over CMake. `make demo` and `make test` work on a fresh Debian
# machine: they install what is missing, configure, build and run.

BUILD	?= build
ASAN	?= build-asan
TYPE	?= RelWithDebInfo
JOBS	?= $(shell nproc 2>/dev/null || echo 2)
PREFIX	?= /usr/local

.PHONY: all deps configure build install test demo asan release bench format check-format clean fuzz

all: build

deps:
	@./scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# claim and claimd in PREFIX/bin, their man pages, claimd's systemd unit,
# bash completion and libclaim; DESTDIR=DIR stages it all under DIR.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Builds only claim and claimd, quietly: the build's output goes to
# $(BUILD)/build.log, shown if the build fails.
demo: configure
	@echo "make demo: building claim and claimd (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) --target claim-cli claimd -- \
	    --no-print-directory > $(BUILD)/build.log 2>&1 || \
	    { cat $(BUILD)/build.log; exit 1; }
	@./scripts/demo.sh $(BUILD)

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCLAIMD_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) -- --no-print-directory
	@cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

# A Release (-O3) build: the optimizer's own warnings are errors too.
release: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS) -- --no-print-directory

# The libFuzzer targets (docs/fuzzing.md), built with clang, each run for
# FUZZ_SECONDS on a scratch copy of its seed corpus in $(FUZZ)/fuzz/.
FUZZ	?= build-fuzz
FUZZ_SECONDS ?= 20

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLAIMD_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_all -- --no-print-directory
	@./tests/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

bench: build
	@./bench/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) build-release
