# gws-sms. `make demo` shows it working, `make test` proves it; both install what they need.
# Build variants: `make BUILD=build/asan SAN=-fsanitize=address,undefined` (see `make check`).

LUA    ?= lua5.4
BUILD  ?= build
CC     ?= gcc
OPT    ?= -O2 -g
SAN    ?=
CFLAGS_ALL = -std=gnu11 $(OPT) $(SAN) -fPIC -Wall -Wextra -Werror -MMD -MP $(CFLAGS)

CORE_SRC := $(wildcard csrc/*.c)
SIM_SRC  := $(wildcard sim/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/%.o)

# Run Lua from the source tree.
export LUA_PATH  := ./lua/?.lua;./lua/?/init.lua;./spec/?.lua;;
export LUA_CPATH := ./$(BUILD)/?.so;;
export GWS_SIM   := ./$(BUILD)/gws-sim

.PHONY: all deps test demo lint clean bench check fuzz

all: $(BUILD)/gws/core.so $(BUILD)/gws-sim

# Installs missing Debian packages; cheap when nothing is missing, so every entry point runs it.
deps:
	@scripts/deps.sh build

# pkg-config is read when the recipe runs, i.e. after `deps` has installed it.
$(BUILD)/csrc/%.o: csrc/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags lua5.4 libcurl) -c $< -o $@

$(BUILD)/sim/%.o: sim/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -pthread $(shell pkg-config --cflags libmicrohttpd jansson) -c $< -o $@

$(BUILD)/gws/core.so: $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared $(SAN) -o $@ $^ $(shell pkg-config --libs libcurl) -lm $(LDFLAGS)

$(BUILD)/gws-sim: $(SIM_OBJ)
	$(CC) $(SAN) -pthread -o $@ $^ $(shell pkg-config --libs libmicrohttpd jansson) $(LDFLAGS)

# Every spec under busted on Lua 5.4; the last line is "N passed, M failed".
test: all
	busted --lua=$(LUA) --cpath="./$(BUILD)/?.so;" spec

# The accept story, then an echo bot chatting with a scripted customer.
demo: all
	@GWS_SIM_FLAGS=--quiet scripts/with-sim.sh sh -c \
	  '$(LUA) examples/accept_demo.lua && echo && $(LUA) examples/echo_bot.lua --demo'

# Benchmarks (issue 5): one table of ratios against references measured in the same run.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: bench/%.c $(wildcard bench/*.h) | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(shell pkg-config --cflags libcurl jansson) \
	  $< -o $@ $(shell pkg-config --libs libcurl jansson)

bench: all
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BENCH_BIN)
	$(LUA) bench/run.lua

# Hardening (issue 5): sanitizer build + whole suite, valgrind soak, fuzz smoke run.
check: all
	@scripts/deps.sh check
	scripts/check.sh

# Each libFuzzer harness for FUZZ_SECONDS (default 60).
fuzz: all
	@scripts/deps.sh check
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

lint: deps
	luacheck lua spec examples bench

clean:
	rm -rf build

-include $(CORE_OBJ:.o=.d) $(SIM_OBJ:.o=.d)
