# DataStory: the two commands of the README, and the steps behind them.
#   make serve  installs what is missing, builds, starts the platform and prints its URL
#   make demo   installs what is missing, builds, profiles the bundled example
#   make test   installs what is missing, builds, runs every test
JOBS ?= 2
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all deps build serve demo screenshot test fixtures asan fuzz bench bench-data bench-api bench-corpus format format-check tidy clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The platform on the embedded default (SQLite and files under ./data/), at the printed URL.
serve: build
	@$(BUILD)/datastory serve

demo: build
	@$(BUILD)/datastory profile examples/sales.csv
	@$(BUILD)/datastory story examples/sales.csv -o $(BUILD)/sales-story.html
	@$(BUILD)/datastory story examples/sales.csv --format md
	@echo "The story as a page: $(BUILD)/sales-story.html"

# The README's picture: the example's story in headless Chromium.
screenshot: build fixtures
	@$(BUILD)/datastory story examples/sales.csv -o $(BUILD)/sales-story.html
	@cd tests/js && node check_page.mjs $(CURDIR)/$(BUILD)/sales-story.html --screenshot $(CURDIR)/docs/story.png

# Test fixtures from npm, pinned by tests/js/package-lock.json.
fixtures: deps
	@if [ ! -d tests/js/node_modules/vega-datasets ] || [ ! -d tests/js/node_modules/csv-spectrum ] || \
	    [ ! -d tests/js/node_modules/vega-lite ] || [ ! -d tests/js/node_modules/playwright-core ] || \
	    [ ! -d tests/js/node_modules/axe-core ]; then \
	  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; fi

# The store's PostgreSQL tests need a server: pg_virtualenv starts a throw-away PostgreSQL 15
# cluster for the run, sets PGHOST/PGPORT/PGUSER/PGPASSWORD, and removes it afterwards.
PG_RUN ?= pg_virtualenv -v 15

test: build fixtures
	@cd $(BUILD) && $(PG_RUN) ctest --output-on-failure -j$(JOBS)

# Unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps fixtures
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDATASTORY_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(PG_RUN) ctest --output-on-failure -j$(JOBS)

# The libFuzzer targets (clang, ASan + UBSan): each replays its corpus, then the CSV target
# fuzzes FUZZ_SECONDS, the data layer's and the platform's parsers half as long each.
FUZZ_SECONDS ?= 60
fuzz: deps
	@CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DDATASTORY_FUZZ=ON -DDATASTORY_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target csv_fuzzer data_layer_fuzzer http_fuzzer
	@mkdir -p build-fuzz/corpus build-fuzz/data_layer_corpus build-fuzz/http_corpus
	@build-fuzz/csv_fuzzer -runs=0 fuzz/corpus
	@build-fuzz/csv_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -timeout=10 -dict=fuzz/csv.dict build-fuzz/corpus fuzz/corpus
	@build-fuzz/data_layer_fuzzer -runs=0 fuzz/data_layer_corpus
	@build-fuzz/data_layer_fuzzer -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) -max_len=8192 \
	  -timeout=10 build-fuzz/data_layer_corpus fuzz/data_layer_corpus
	@build-fuzz/http_fuzzer -runs=0 fuzz/http_corpus
	@build-fuzz/http_fuzzer -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) -max_len=8192 \
	  -timeout=10 build-fuzz/http_corpus fuzz/http_corpus

bench: build
	@bench/profile_vs_duckdb.sh

# The platform under load: wrk on a story with 1,000 progress streams open, upload -> completed,
# a ~1 GB upload's memory, 20 concurrent 1M-row stories (bench/api_bench.py).
bench-api: build
	@bench/api.sh

# Column types against DuckDB's sniffer on other CSV readers' test suites (bench/corpus/README.md
# says how to assemble CORPUS).
bench-corpus: build
	@test -n "$(CORPUS)" || { echo "set CORPUS=dir (bench/corpus/README.md)" >&2; exit 2; }
	@[ -d /tmp/bench-peers/node_modules/@duckdb/node-api ] || ../shared/bench/install_peers.sh
	@NODE_PATH=/tmp/bench-peers/node_modules bench/corpus_types.py "$(CORPUS)"

# Store operations/s on SQLite and PostgreSQL, blob MB/s on disk and S3 (moto), in one table.
bench-data: build
	@bench/data_layer.sh

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')

# clang-tidy with .clang-tidy over the sources (not the tests), on the build's compile commands.
tidy: build
	@clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.cc' | grep -v _test.cc) 2>/dev/null | grep -E 'warning:|error:' || echo "clang-tidy: clean"

clean:
	rm -rf build build-asan build-fuzz
