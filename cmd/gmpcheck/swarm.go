package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

// ---- swarm ----
//
// gmpcheck swarm runs swarm verification (checker.Swarm): shards that each
// search the model depth-first in their own random order, within a budget,
// and report coverage and violations as JSON that 'gmpcheck swarm merge'
// combines. With -shard I it runs one shard (a cluster job runs one per
// pod: deploy/swarm-job.yaml); without it, it runs -shards shards as child
// processes of itself, -parallel at a time, and merges them.

type swarmFlags struct {
	fs         *flag.FlagSet
	model      string
	shards     int
	shard      int
	parallel   int
	seed       uint64
	timeLimit  durationValue
	maxStates  int64
	maxDepth   int
	spread     bool
	bitstate   int
	symmetry   bool
	noDeadlock bool
	keepGoing  bool
	json       bool
	format     string
	states     bool
	config     *configFlags
}

func newSwarmFlags() *swarmFlags {
	f := &swarmFlags{fs: flag.NewFlagSet("swarm", flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.model, "model", defaultModel(), "the `NAME` of the model to search (see 'gmpcheck list')")
	fs.IntVar(&f.shards, "shards", 8, "the swarm's number of shards, `N`")
	fs.IntVar(&f.shard, "shard", -1, "run only shard `I` (0 <= I < -shards), as one pod of a cluster job does; -1 runs every shard here and merges them")
	fs.IntVar(&f.parallel, "parallel", runtime.NumCPU(), "without -shard, run `P` shards at a time")
	fs.Uint64Var(&f.seed, "seed", 1, "the swarm's random `seed`; shard I searches in the order drawn from (seed, I)")
	f.timeLimit = durationValue(time.Minute)
	fs.Var(&f.timeLimit, "time", "each shard's time budget (`duration`); 0 means none")
	fs.Int64Var(&f.maxStates, "max-states", 0, "each shard's budget of distinct states, `N`; 0 means none")
	fs.IntVar(&f.maxDepth, "max-depth", 1000, "cut depth-first paths at `N` steps (with -spread-depth, shard I at N >> (I % 4))")
	fs.BoolVar(&f.spread, "spread-depth", true, "vary the depth bound between shards: shard I cuts at -max-depth >> (I % 4)")
	fs.IntVar(&f.bitstate, "bitstate", 0, "store visited states in a Bloom filter of 2^`BITS` bits (such as 30: 128 MiB) instead of an exact set; 0 means exact")
	fs.BoolVar(&f.symmetry, "symmetry", false, "visit one state per symmetry class (on by default for scheduler models)")
	fs.BoolVar(&f.noDeadlock, "no-deadlock", false, "accept states without enabled actions")
	fs.BoolVar(&f.keepGoing, "keep-going", false, "without -shard, run every shard to its budget even after one finds a violation")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON on stdout, and nothing else (-format json)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text or json (the input of 'gmpcheck swarm merge')")
	fs.BoolVar(&f.states, "states", false, "print the full state at every step of a trace")
	f.config = newConfigFlags(fs)
	return f
}

// swarmReport is what swarm prints with -json: one shard's result, or
// several merged, with the model and the swarm's parameters.
type swarmReport struct {
	Model    string `json:"model"`
	Config   string `json:"config,omitempty"`
	Seed     uint64 `json:"seed"`
	Shards   int    `json:"shards"`
	Shard    int    `json:"shard"` // -1 for a merge
	Bitstate int    `json:"bitstate,omitempty"`
	MaxDepth int    `json:"max_depth"`
	// SpreadDepth: shard I cut its paths at MaxDepth >> (I % 4).
	SpreadDepth bool `json:"spread_depth,omitempty"`
	// Merged lists the shards of a merge.
	Merged []int `json:"merged,omitempty"`
	// FirstViolationSeconds is, for a local swarm, the wall time from
	// its start until a shard reported a violation.
	FirstViolationSeconds float64 `json:"first_violation_seconds,omitempty"`
	// Coverage in a few numbers: action kinds fired of all, Sometimes
	// properties reached of all.
	LabelsFired      int `json:"labels_fired"`
	Labels           int `json:"labels"`
	SometimesReached int `json:"sometimes_reached"`
	Sometimes        int `json:"sometimes"`
	*checker.Result
}

// summarize fills r's coverage figures from its result.
func (r *swarmReport) summarize(t target) {
	r.LabelsFired, r.Labels = 0, len(r.Coverage)
	for _, n := range r.Coverage {
		if n > 0 {
			r.LabelsFired++
		}
	}
	r.SometimesReached, r.Sometimes = 0, 0
	for _, p := range t.properties {
		if p.kind == "sometimes" {
			r.Sometimes++
			if _, ok := r.Examples[p.name]; ok {
				r.SometimesReached++
			}
		}
	}
}

func runSwarm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return runSwarmMerge(ctx, args[1:], stdout, stderr)
	}
	f := newSwarmFlags()
	t, code, ok := parseCommand(f.fs, args, &f.model, f.config, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case f.shards < 1:
		return fail(stderr, fmt.Errorf("swarm: -shards %d: want at least 1", f.shards))
	case f.shard < -1 || f.shard >= f.shards:
		return fail(stderr, fmt.Errorf("swarm: -shard %d: want 0 <= I < %d (-shards), or -1 for all", f.shard, f.shards))
	case f.parallel < 1:
		return fail(stderr, fmt.Errorf("swarm: -parallel %d: want at least 1", f.parallel))
	case f.maxStates < 0 || f.maxDepth < 1:
		return fail(stderr, fmt.Errorf("swarm: -max-states %d, -max-depth %d: want >= 0 and >= 1", f.maxStates, f.maxDepth))
	case f.bitstate != 0 && (f.bitstate < 10 || f.bitstate > 40):
		return fail(stderr, fmt.Errorf("swarm: -bitstate %d: want 10 to 40 (2^BITS bits), or 0 for an exact store", f.bitstate))
	case f.timeLimit == 0 && f.maxStates == 0:
		return fail(stderr, fmt.Errorf("swarm: give each shard a budget: -time or -max-states"))
	}
	format := f.format
	if f.json {
		format = "json"
	}
	if format != "text" && format != "json" {
		return fail(stderr, fmt.Errorf("swarm: -format %q: want text or json", f.format))
	}
	if isSchedSpec(t.name) {
		set := false
		f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "symmetry" })
		if !set {
			f.symmetry = true
		}
	}
	rep := &swarmReport{Model: t.name, Config: t.config, Seed: f.seed, Shards: f.shards, Shard: f.shard, Bitstate: f.bitstate, MaxDepth: f.maxDepth, SpreadDepth: f.spread}
	if f.shard >= 0 {
		rep.Result = t.swarm(ctx, checker.SwarmOptions{
			Seed:          f.seed,
			Shard:         f.shard,
			MaxDepth:      f.maxDepth,
			SpreadDepth:   f.spread,
			MaxStates:     f.maxStates,
			TimeLimit:     time.Duration(f.timeLimit),
			Bitstate:      f.bitstate,
			Symmetry:      f.symmetry,
			AllowDeadlock: f.noDeadlock,
		})
	} else {
		var err error
		if rep, err = runLocalSwarm(ctx, t, f, stderr); err != nil {
			fmt.Fprintf(stderr, "gmpcheck: swarm: %v\n", err)
			return exitFailed
		}
	}
	rep.summarize(t)
	return printSwarm(ctx, t, rep, format, f.noDeadlock, f.states, stdout, stderr)
}

// printSwarm prints a shard's or a merge's report and returns the exit
// code: 1 for a violation, 3 if interrupted, else 0 (a swarm proves
// nothing, as random walks do not).
func printSwarm(ctx context.Context, t target, rep *swarmReport, format string, noDead, states bool, stdout, stderr io.Writer) int {
	if format == "json" {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "gmpcheck: writing JSON: %v\n", err)
			return exitFailed
		}
	} else {
		writeModelLines(stdout, t)
		which := fmt.Sprintf("shard %d of %d", rep.Shard, rep.Shards)
		if rep.Shard < 0 {
			which = fmt.Sprintf("%d shards merged (%v) of %d", len(rep.Merged), rep.Merged, rep.Shards)
		}
		store := "exact store"
		if rep.Bitstate > 0 {
			store = fmt.Sprintf("bitstate store of 2^%d bits", rep.Bitstate)
		}
		depth := fmt.Sprintf("%d steps", rep.MaxDepth)
		switch {
		case rep.SpreadDepth && rep.Shard >= 0:
			depth = fmt.Sprintf("%d steps", checker.ShardDepth(rep.MaxDepth, rep.Shard))
		case rep.SpreadDepth:
			depth = fmt.Sprintf("%d steps or less (-spread-depth)", rep.MaxDepth)
		}
		fmt.Fprintf(stdout, "swarm       %s, seed %d, depth-first to %s, %s\n", which, rep.Seed, depth, store)
		fmt.Fprintf(stdout, "coverage    %d of %d action kinds fired, %d of %d sometimes properties reached\n", rep.LabelsFired, rep.Labels, rep.SometimesReached, rep.Sometimes)
		if rep.FirstViolationSeconds > 0 {
			fmt.Fprintf(stdout, "first violation after %.2fs\n", rep.FirstViolationSeconds)
		}
		writeReport(stdout, t, rep.Result, reportOptions{mode: modeSimulate, repro: reproCommand(t.name, noDead), noDead: noDead, allStates: states})
	}
	switch {
	case rep.Verdict == checker.VerdictViolation:
		return exitViolation
	case ctx.Err() != nil:
		return exitIncomplete
	}
	return exitOK
}

// runLocalSwarm runs the swarm's shards as child processes of this
// program, f.parallel at a time, and merges their reports. Unless
// -keep-going, the first violation stops the others (SIGTERM: they report
// what they covered) and no more are started.
func runLocalSwarm(ctx context.Context, t target, f *swarmFlags, stderr io.Writer) (*swarmReport, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var (
		mu        sync.Mutex
		reports   []*swarmReport
		firstViol float64
		firstErr  error
		wg        sync.WaitGroup
	)
	sem := make(chan struct{}, f.parallel)
	for i := range f.shards {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			args := []string{"swarm", "-model", t.name, "-shards", strconv.Itoa(f.shards), "-shard", strconv.Itoa(i),
				"-seed", strconv.FormatUint(f.seed, 10), "-time", time.Duration(f.timeLimit).String(),
				"-max-states", strconv.FormatInt(f.maxStates, 10), "-max-depth", strconv.Itoa(f.maxDepth),
				"-spread-depth=" + strconv.FormatBool(f.spread),
				"-bitstate", strconv.Itoa(f.bitstate), "-symmetry=" + strconv.FormatBool(f.symmetry),
				"-no-deadlock=" + strconv.FormatBool(f.noDeadlock), "-json"}
			cmd := exec.CommandContext(ctx, exe, args...)
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = 10 * time.Second
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			runErr := cmd.Run()
			var r swarmReport
			if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Result == nil {
				mu.Lock()
				defer mu.Unlock()
				if firstErr == nil && ctx.Err() == nil {
					firstErr = fmt.Errorf("shard %d: %v (%v)\n%s", i, runErr, err, errOut.Bytes())
				}
				return
			}
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, &r)
			if r.Violation != nil && r.Violation.Kind != "sometimes" && firstViol == 0 {
				firstViol = time.Since(start).Seconds()
				fmt.Fprintf(stderr, "gmpcheck: swarm: shard %d found a violation of %s after %.2fs\n", i, r.Violation.Property, firstViol)
				if !f.keepGoing {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	rep, err := mergeReports(reports)
	if err != nil {
		return nil, err
	}
	rep.Shards, rep.FirstViolationSeconds = f.shards, firstViol
	return rep, nil
}

// mergeReports merges shards' reports of one model and swarm.
func mergeReports(reports []*swarmReport) (*swarmReport, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("no shard reports to merge")
	}
	slices.SortFunc(reports, func(a, b *swarmReport) int { return a.Shard - b.Shard })
	first := reports[0]
	out := &swarmReport{Model: first.Model, Config: first.Config, Seed: first.Seed, Shards: first.Shards, Shard: -1,
		Bitstate: first.Bitstate, MaxDepth: first.MaxDepth, SpreadDepth: first.SpreadDepth}
	var shards []checker.SwarmShard
	seen := map[int]bool{}
	for _, r := range reports {
		switch {
		case r.Model != first.Model || r.Config != first.Config:
			return nil, fmt.Errorf("shard %d is of model %q (%s), shard %d of %q (%s)", r.Shard, r.Model, r.Config, first.Shard, first.Model, first.Config)
		case r.Seed != first.Seed || r.Shards != first.Shards:
			return nil, fmt.Errorf("shard %d is of a swarm with seed %d and %d shards, shard %d of seed %d and %d shards", r.Shard, r.Seed, r.Shards, first.Shard, first.Seed, first.Shards)
		case r.Result == nil:
			return nil, fmt.Errorf("shard %d has no result", r.Shard)
		}
		if r.Shard < 0 {
			// A merge merged again: its shards.
			for _, s := range r.Merged {
				if seen[s] {
					return nil, fmt.Errorf("shard %d appears twice", s)
				}
				seen[s] = true
			}
			out.Merged = append(out.Merged, r.Merged...)
		} else {
			if seen[r.Shard] {
				return nil, fmt.Errorf("shard %d appears twice", r.Shard)
			}
			seen[r.Shard] = true
			out.Merged = append(out.Merged, r.Shard)
		}
		shards = append(shards, checker.SwarmShard{Shard: r.Shard, Result: r.Result})
		if r.FirstViolationSeconds > 0 && (out.FirstViolationSeconds == 0 || r.FirstViolationSeconds < out.FirstViolationSeconds) {
			out.FirstViolationSeconds = r.FirstViolationSeconds
		}
	}
	slices.Sort(out.Merged)
	out.Result = checker.MergeSwarm(shards)
	return out, nil
}

// runSwarmMerge is 'gmpcheck swarm merge FILE...'.
func runSwarmMerge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("swarm merge", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the merged result as JSON")
	states := fs.Bool("states", false, "print the full state at every step of a trace")
	files, help, err := parseFlags(fs, args)
	if err != nil {
		return fail(stderr, err)
	}
	if help {
		fmt.Fprintf(stdout, "usage: gmpcheck swarm merge [-json] [-states] RESULT.json...\n\nMerge the -json reports of a swarm's shards.\n")
		return exitOK
	}
	if len(files) == 0 {
		return fail(stderr, fmt.Errorf("swarm merge: give the shards' JSON reports"))
	}
	var reports []*swarmReport
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return fail(stderr, fmt.Errorf("swarm merge: %v", err))
		}
		var r swarmReport
		if err := json.Unmarshal(data, &r); err != nil || r.Result == nil {
			return fail(stderr, fmt.Errorf("swarm merge: %s: not a swarm -json report (%v)", name, err))
		}
		reports = append(reports, &r)
	}
	rep, err := mergeReports(reports)
	if err != nil {
		return fail(stderr, fmt.Errorf("swarm merge: %v", err))
	}
	t, err := lookupTarget(rep.Model)
	if err != nil {
		return fail(stderr, fmt.Errorf("swarm merge: %v", err))
	}
	if t.config != rep.Config {
		return fail(stderr, fmt.Errorf("swarm merge: the reports are of %s as %q, but it is now %q", rep.Model, rep.Config, t.config))
	}
	setCurrentModel(t.name)
	rep.summarize(t)
	format := "text"
	if *asJSON {
		format = "json"
	}
	return printSwarm(ctx, t, rep, format, false, *states, stdout, stderr)
}
