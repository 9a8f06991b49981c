# Thin wrappers over cmake/ctest. On a fresh Debian 12 machine, as root:
#   make check   install dependencies, build, run every test
#   make demo    install dependencies, build, run the demo in a namespace lab
#   make deb     build the Debian package into $(BUILD)/deb (dpkg-buildpackage)
#   make deb-check  build it, install it with dpkg, check it, remove it
#   make fuzz    libFuzzer harnesses for FUZZ_TIME s each, then the packet fuzz
BUILD ?= build
JOBS ?= $(shell nproc)
# Fuzzing: libFuzzer harnesses in a clang build of their own (tests/fuzz).
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 300
FUZZ_SMOKE_TIME ?= 60
FUZZ_SMOKE_RUNS ?= 100000
PACKET_FUZZ_FRAMES ?= 2000000

DEPS = build-essential cmake pkg-config clang llvm bpftool libbpf-dev \
       libnl-3-dev libnl-route-3-dev libmnl-dev libcli11-dev nlohmann-json3-dev \
       libreadline-dev libssl-dev openssl libgtest-dev libgmock-dev libbenchmark-dev linux-libc-dev \
       gcc-multilib clang-format-14 clang-tidy-14 iproute2 ethtool iputils-ping python3 \
       tcpdump iperf3 bird2 nftables tmux groff man-db \
       debhelper dpkg-dev fakeroot lintian libsystemd-dev bash-completion libclang-rt-14-dev

.PHONY: all deps build check format format-check lint demo bench deb deb-check clean fuzz-build fuzz fuzz-smoke

all: build

deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# C++ by .clang-format, the datapath (bpf/, kernel style) by bpf/.clang-format.
FORMAT_FILES = $$(git ls-files '*.cpp' '*.hpp' 'bpf/*.c' 'bpf/*.h')
# Product code only: the tests and benchmarks are checked by the build.
LINT_FILES = $$(git ls-files 'core/*.cpp' 'cmd/*.cpp')

format:
	clang-format-14 -i $(FORMAT_FILES)

format-check:
	clang-format-14 --dry-run -Werror $(FORMAT_FILES)

# clang-tidy with the checks of .clang-tidy; any warning fails.
lint: build
	clang-tidy-14 -p $(BUILD) --quiet --warnings-as-errors='*' $(LINT_FILES)

fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DXLB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(FUZZ_BUILD) -j$(JOBS)

# Each harness for FUZZ_TIME seconds, then the packet fuzz of the datapath
# with PACKET_FUZZ_FRAMES frames (root).
fuzz: fuzz-build build
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME)
	XLB_PACKET_FUZZ_FRAMES=$(PACKET_FUZZ_FRAMES) $(BUILD)/tests/xlb_datapath_tests \
	  --gtest_filter='PacketFuzz.*'

fuzz-smoke: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_TIME) $(FUZZ_SMOKE_RUNS)

# The fuzz smoke: a clang/ASan build of the grammar, importer and store
# decoder (build-fuzz) and FUZZ_SMOKE_RUNS inputs per harness (fixed seed,
# at most FUZZ_SMOKE_TIME s) from the committed corpora; a finding fails check with its input in build-fuzz/fuzz-artifacts.
check: build format-check lint
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE e2e
	cd $(BUILD) && ctest --output-on-failure -L e2e
	$(MAKE) fuzz-smoke
	$(MAKE) deb-check

# dpkg-buildpackage writes next to the source tree: build from a copy of the
# tracked and new files in $(BUILD)/deb, so the .deb lands in $(BUILD)/deb.
# The package build reuses the developer's ccache (debhelper resets HOME).
deb: deps
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/xlb
	git ls-files -co --exclude-standard | grep -v '^$(BUILD)/' | tar -cf - -T - | tar -xf - -C $(BUILD)/deb/xlb
	cd $(BUILD)/deb/xlb && CCACHE_DIR="$$(ccache -k cache_dir 2>/dev/null || true)" \
	  dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(BUILD)/deb/*.changes

deb-check: deb
	bash tests/deb/install.sh $(BUILD)/deb

demo: build
	bash tests/lab/demo.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
