# Targets: test (the default), check, bench, bench-large, lint, race, fuzz.

STATICCHECK := go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test check bench bench-large lint race fuzz

test:
	go test ./...

# Check the default model (see 'go run ./cmd/gmpcheck list' for the others).
check:
	go run ./cmd/gmpcheck

bench:
	go test -run '^$$' -bench . -benchmem ./...

# The project's large benchmark (not part of go test): the default workload
# with forcegc and three worker Ms: 1,219,101,035 states, depth 314, about 65
# minutes and 19.6 GB resident on a 2-core machine (docs/performance.md, "The
# large benchmark").
# -mem keeps its levels on disk (in the system's temporary directory; about a
# level's states, a few GB at most), and it stops when the heap and the visited
# set reach BENCH_MEM. It saves its search every 10 minutes and at the end in
# BENCH_DIR (tens of GB); run it again with RESUME=1 to go on from there.
BENCH_MEM ?= 20GiB
BENCH_DIR ?= .bench-large
# SEED=N repeats it with another fingerprint hash (-hash-seed): its collision
# probability is 0.2; SEED=1 gave the same distinct states, which settles it.
SEED ?= 0
bench-large:
	@if [ -n "$(RESUME)" ]; then \
		/usr/bin/time -v go run ./cmd/gmpcheck check -resume $(BENCH_DIR) -mem $(BENCH_MEM) -progress -hash-seed $(SEED); \
	else \
		/usr/bin/time -v go run ./cmd/gmpcheck check -workload testdata/workloads/default.txt -features sysmon,netpoll,forcegc \
			-mem $(BENCH_MEM) -progress -checkpoint $(BENCH_DIR) -checkpoint-every 10m -hash-seed $(SEED); \
	fi

# gofmt must print nothing; staticcheck is fetched through the module proxy
# and skipped, with a message, when it cannot be built (for example offline).
lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$out"; exit 1; fi
	go vet ./...
	@if $(STATICCHECK) -version >/dev/null 2>&1; then \
		echo "$(STATICCHECK) ./..."; $(STATICCHECK) ./...; \
	else \
		echo "lint: skipping staticcheck: '$(STATICCHECK)' does not build here"; \
	fi

# The race detector where goroutines share memory: the checker's parallel
# search, the spec under it (pooled step state), rapid's side-by-side hunts,
# the CLI and the twins of impl/. The default configuration is left out (too
# slow under -race).
race:
	go test -race ./checker/... ./properties/... ./cmd/... ./impl/...
	go test -race ./spec -run 'TestBugSwitches|TestPinnedTraces|TestStateSpaces/(pingpong|allocm|go114|inject-overflow|syscall-steal|wakep-transient)|TestLivenessQuotient'
	go test -race -short ./spec -run 'TestSchedTwin'

# Each fuzz target for FUZZTIME (10 minutes by default; CI runs 20000
# inputs each). A crasher lands in the package's testdata/fuzz and becomes
# a test case. See .ci/fuzz.
FUZZTIME ?= 10m
fuzz:
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz
