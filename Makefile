# gws-sms. `make demo` shows it working, `make test` proves it; both install what they need.
# Build variants: `make BUILD=build/asan SAN=-fsanitize=address,undefined` (see `make check`).

LUA    ?= lua5.4
BUILD  ?= build
CC     ?= gcc
OPT    ?= -O2 -g
SAN    ?=
WERROR ?= -Werror
CFLAGS_ALL = -std=gnu11 $(OPT) $(SAN) -fPIC -Wall -Wextra $(WERROR) -MMD -MP $(CFLAGS)

# The release, defined once (in Lua); gws.core is compiled with it and `make dist` names the
# tarball after it. The rockspecs cannot read a file: spec/e2e/rock_spec.lua checks they agree.
VERSION_FILE := lua/gws/version.lua
VERSION := $(shell sed -n 's/^[^"]*VERSION[^"]*"\([0-9][^"]*\)".*/\1/p' $(VERSION_FILE) | head -n 1)

# Include and link flags of the core. `make` asks pkg-config (read when a recipe runs, i.e.
# after `deps` has installed it); luarocks passes what it found instead (see `luarocks-build`).
CORE_CPPFLAGS ?= $(shell pkg-config --cflags lua5.4 libcurl)
CORE_LIBS     ?= $(shell pkg-config --libs libcurl)
# Every entry point installs missing Debian packages first, except the rock's (DEPS= there).
DEPS ?= deps

CORE_SRC := $(wildcard csrc/*.c)
SIM_SRC  := $(wildcard sim/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/%.o)

# Run Lua from the source tree.
export LUA_PATH  := ./lua/?.lua;./lua/?/init.lua;./spec/?.lua;;
export LUA_CPATH := ./$(BUILD)/?.so;;
export GWS_SIM   := ./$(BUILD)/gws-sim

.PHONY: all deps test demo lint clean bench check fuzz structure install dist luarocks-build luarocks-install embed docs interop types

all: $(BUILD)/gws/core.so $(BUILD)/gws-sim

# Installs missing Debian packages; cheap when nothing is missing, so every entry point runs it.
deps:
	@scripts/deps.sh build

# pkg-config is read when the recipe runs, i.e. after `deps` has installed it.
$(BUILD)/csrc/%.o: csrc/%.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DGWS_VERSION='"$(VERSION)"' $(CORE_CPPFLAGS) -c $< -o $@

# The files that print GWS_VERSION follow the version file.
$(filter %/core.o %/engine_lua.o,$(CORE_OBJ)): $(VERSION_FILE)

$(BUILD)/sim/%.o: sim/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -pthread $(shell pkg-config --cflags libmicrohttpd jansson) -c $< -o $@

$(BUILD)/gws/core.so: $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared $(SAN) -o $@ $^ $(CORE_LIBS) -lm $(LDFLAGS)

# The console's files are embedded by .incbin (sim/ui_assets.c), which -MMD cannot see.
$(BUILD)/sim/ui_assets.o: $(wildcard sim/ui/*)

$(BUILD)/gws-sim: $(SIM_OBJ)
	$(CC) $(SAN) -pthread -o $@ $^ $(shell pkg-config --libs libmicrohttpd jansson) $(LDFLAGS)

# The C host of examples/embed (docs/embedding.md): Lua 5.4 embedded through the shared
# liblua5.4; spec/e2e/embed_spec.lua builds it with `make BUILD=… embed` and runs a
# conversation through it.
EMBED_HOST := $(BUILD)/examples/embed/host
embed: $(BUILD)/gws/core.so $(EMBED_HOST)

$(EMBED_HOST): examples/embed/host.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(OPT) $(SAN) -Wall -Wextra $(WERROR) $(shell pkg-config --cflags lua5.4) \
	  $< -o $@ $(shell pkg-config --libs lua5.4) -lm $(LDFLAGS)

# Every spec under busted on Lua 5.4; the last line is "N passed, M failed".
test: all embed
	busted --lua=$(LUA) --cpath="./$(BUILD)/?.so" spec

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
	BENCH_BIN_DIR=$(BUILD)/bench/ $(LUA) bench/run.lua

# The official CometD JavaScript client against gws-sim (issue 12, item 5; spec/interop/).
# Not in `make test`: it needs Node and npm packages fetched from the npm registry (npm ci of
# spec/cometd/package-lock.json), which `make test` on a fresh machine should not depend on.
interop: all
	@scripts/deps.sh interop
	busted --lua=$(LUA) --cpath="./$(BUILD)/?.so" --run=interop

# Hardening (issue 5): sanitizer build + whole suite, valgrind soak, fuzz smoke run; the
# customer console in headless chromium (issue 16); the CometD interop. Everything it builds
# goes under $(BUILD), so `make BUILD=build/me check` races nobody.
check: all
	@scripts/deps.sh check browser interop
	BUILD=$(BUILD) scripts/check.sh

# Each libFuzzer harness for FUZZ_SECONDS (default 60).
fuzz: all
	@scripts/deps.sh check
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

lint: deps
	luacheck lua spec examples bench

# File dependencies of csrc/, sim/ and lua/gws drawn by layer; a circle or an upward
# dependency fails (the layer orders are tables at the top of the script).
structure:
	$(LUA) scripts/structure.lua

# `make install PREFIX=/opt/gws` (default /usr/local; DESTDIR for staging): the Lua modules and
# gws.core where that prefix's lua5.4 looks, the gws-sms command, gws-sim, and the docs.
PREFIX  ?= /usr/local
LUADIR  ?= $(PREFIX)/share/lua/5.4
CMODDIR ?= $(PREFIX)/lib/lua/5.4
BINDIR  ?= $(PREFIX)/bin
DOCDIR  ?= $(PREFIX)/share/doc/gws-sms

# The reference (LDoc): $(BUILD)/docs/index.html. scripts/docs.lua copies what config.ld names,
# with a doc entry for each generated operation method, and LDoc reads only that copy.
docs: | $(DEPS)
	@rm -rf $(BUILD)/docs-src $(BUILD)/docs
	LUA_PATH='./lua/?.lua;;' $(LUA) scripts/docs.lua $(BUILD)/docs-src
	lua5.1 /usr/bin/ldoc -c $(BUILD)/docs-src/config.ld -d $(abspath $(BUILD)/docs) .

# The LuaLS definition file (editors' completion, README "Editor support"): types/gws-sms.lua,
# generated from the doc comments by LDoc's reading of them; committed, and
# spec/unit/luals_meta_spec.lua fails when it is stale: run `make types` after editing them.
types: $(BUILD)/gws/core.so | $(DEPS)
	$(LUA) scripts/luals_meta.lua types/gws-sms.lua

install: all docs
	cd lua && find gws -name '*.lua' -exec install -D -m 644 {} '$(DESTDIR)$(LUADIR)/{}' \;
	install -D -m 755 $(BUILD)/gws/core.so '$(DESTDIR)$(CMODDIR)/gws/core.so'
	install -D -m 755 $(BUILD)/gws-sim '$(DESTDIR)$(BINDIR)/gws-sim'
	install -D -m 755 bin/gws-sms '$(DESTDIR)$(BINDIR)/gws-sms'
	install -d '$(DESTDIR)$(DOCDIR)/docs'
	install -m 644 README.md CHANGELOG.md LICENSE '$(DESTDIR)$(DOCDIR)/'
	install -m 644 docs/*.md '$(DESTDIR)$(DOCDIR)/docs/'
	cp -R $(BUILD)/docs '$(DESTDIR)$(DOCDIR)/reference'
	install -D -m 644 types/gws-sms.lua '$(DESTDIR)$(PREFIX)/share/gws-sms/types/gws-sms.lua'

# The release: build/dist/gws-sms-VERSION.tar.gz (the sources, no build output) and, packed
# from it by luarocks, gws-sms-VERSION-1.src.rock (what a rocks server serves; the versioned
# rockspec's source.url names the tarball relative to the directory luarocks runs in).
DIST      := $(BUILD)/dist
DIST_NAME := gws-sms-$(VERSION)
DIST_FILES := Makefile README.md LICENSE CHANGELOG.md config.ld bin csrc lua sim docs rockspec scripts examples types

dist: | $(DEPS)
	@test -n "$(VERSION)" || { echo "make dist: no version found in $(VERSION_FILE)" >&2; exit 1; }
	@test -f rockspec/$(DIST_NAME)-1.rockspec || \
	  { echo "make dist: rockspec/$(DIST_NAME)-1.rockspec is missing" >&2; exit 1; }
	@mkdir -p $(DIST)
	tar -czf $(DIST)/$(DIST_NAME).tar.gz --sort=name --owner=0 --group=0 --numeric-owner \
	  --exclude='*.o' --exclude='*.so' --exclude='*.d' --transform 's,^,$(DIST_NAME)/,' $(DIST_FILES)
	@# luarocks pack fetches source.url from a scratch directory, where the rockspec's relative
	@# URL means nothing: it packs a copy that names the tarball by its absolute file:// URL
	@# (building a .src.rock never fetches, so that URL is never used again).
	sed 's|^  url = "$(DIST_NAME).tar.gz",|  url = "file://$(abspath $(DIST))/$(DIST_NAME).tar.gz",|' \
	  rockspec/$(DIST_NAME)-1.rockspec > $(DIST)/$(DIST_NAME)-1.rockspec
	grep -q '^  url = "file://' $(DIST)/$(DIST_NAME)-1.rockspec
	cd $(DIST) && luarocks --lua-version=5.4 pack $(DIST_NAME)-1.rockspec
	rm -f $(DIST)/$(DIST_NAME)-1.rockspec

# Called by luarocks (build type "make" in rockspec/*.rockspec), not by people. The build pass
# compiles gws.core with the compiler, flags and include dirs luarocks found, without apt-get
# (DEPS=) or -Werror; the install pass installs it and removes build/rock/ again, so that
# `luarocks make` leaves the checkout as it found it.
ROCK_BUILD := build/rock

luarocks-build:
	$(MAKE) --no-print-directory BUILD=$(ROCK_BUILD) DEPS= WERROR= $(ROCK_BUILD)/gws/core.so

luarocks-install:
	@test -n "$(LIBDIR)" || { echo "make luarocks-install: LIBDIR= is luarocks' to give" >&2; exit 1; }
	install -D -m 755 $(ROCK_BUILD)/gws/core.so '$(LIBDIR)/gws/core.so'
	rm -rf $(ROCK_BUILD)
	rmdir --ignore-fail-on-non-empty build

clean:
	rm -rf build

-include $(CORE_OBJ:.o=.d) $(SIM_OBJ:.o=.d)
