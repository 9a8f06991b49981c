# Thin wrappers over cmake/ctest. On a fresh Debian 12 machine, as root:
#   make check   install dependencies, build, run every test
#   make demo    install dependencies, build, run the demo in a namespace lab
#   make fuzz    libFuzzer harnesses for FUZZ_TIME s each, then the packet fuzz
BUILD ?= build
JOBS ?= $(shell nproc)
# Fuzzing: libFuzzer harnesses in a clang build of their own (tests/fuzz).
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 300
FUZZ_SMOKE_TIME ?= 10
PACKET_FUZZ_FRAMES ?= 2000000

DEPS = build-essential cmake pkg-config clang llvm bpftool libbpf-dev \
       libnl-3-dev libnl-route-3-dev libmnl-dev libcli11-dev nlohmann-json3-dev \
       libreadline-dev libssl-dev openssl libgtest-dev libgmock-dev libbenchmark-dev linux-libc-dev \
       gcc-multilib clang-format-14 iproute2 ethtool iputils-ping python3 \
       tcpdump iperf3 bird2 nftables tmux groff man-db

.PHONY: all deps build check format format-check demo bench clean fuzz-build fuzz fuzz-smoke

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

format:
	clang-format-14 -i $$(git ls-files '*.cpp' '*.hpp')

format-check:
	clang-format-14 --dry-run -Werror $$(git ls-files '*.cpp' '*.hpp')

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
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_TIME)

check: build format-check fuzz-smoke
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE e2e
	cd $(BUILD) && ctest --output-on-failure -L e2e

demo: build
	bash tests/lab/demo.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
