package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

// defaultModel is the model that commands use without -model.
func defaultModel() string { return targets()[0].name }

// ---- check ----

type checkFlags struct {
	fs         *flag.FlagSet
	model      string
	workers    int
	symmetry   bool
	noDeadlock bool
	maxStates  int64
	maxDepth   int
	timeLimit  durationValue
	mem        sizeValue
	json       bool
	format     string
	progress   bool
	states     bool
	config     *configFlags
	checkpoint string
	every      durationValue
	resume     string
	cpuprofile string
	memprofile string
	spill      string
	hashSeed   uint64
}

// defaultCheckpointEvery is how often check -checkpoint saves by default.
const defaultCheckpointEvery = 10 * time.Minute

// newCheckFlags defines check's flags; stderr decides the default of
// -progress (on when it is a terminal) and may be nil.
func newCheckFlags(stderr io.Writer) *checkFlags {
	f := &checkFlags{fs: flag.NewFlagSet("check", flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.model, "model", defaultModel(), "the `NAME` of the model to check (see 'gmpcheck list')")
	fs.IntVar(&f.workers, "workers", 0, "`N` goroutines expanding states; 0 means GOMAXPROCS (results do not depend on it)")
	fs.BoolVar(&f.symmetry, "symmetry", false, "explore one state per symmetry class, if the model is symmetric (on by default for scheduler models)")
	fs.BoolVar(&f.noDeadlock, "no-deadlock", false, "accept states without enabled actions")
	fs.Int64Var(&f.maxStates, "max-states", 0, "stop after `N` distinct states; 0 means no bound")
	fs.IntVar(&f.maxDepth, "max-depth", 0, "stop after `N` breadth-first levels; 0 means no bound")
	fs.Var(&f.timeLimit, "time", "stop after this `duration` (such as 90s or 10m); 0 means no bound")
	fs.Var(&f.mem, "mem", "bound the memory to this `size` (bytes, or such as 512MiB or 4GiB): the levels' states go to disk (see -spill), and the check stops when the visited set and the trace store reach it; 0 means no bound")
	fs.StringVar(&f.spill, "spill", "", "keep the states of the current and next breadth-first levels on disk, in unlinked files in `DIR` (default with -mem: the system's temporary directory), so that memory grows with the distinct states only")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON on stdout, and nothing else (-format json)")
	fs.StringVar(&f.format, "format", "text", formatUsage)
	fs.BoolVar(&f.progress, "progress", isTerminal(stderr), "print a statistics line on stderr every 5s (default: on if stderr is a terminal)")
	fs.BoolVar(&f.states, "states", false, "print the full state at every step of a trace")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "save the search in `DIR` every -checkpoint-every, and when a bound, Ctrl-C or SIGTERM stops it, for -resume")
	f.every = durationValue(defaultCheckpointEvery)
	fs.Var(&f.every, "checkpoint-every", "with -checkpoint, save every `duration` (at the next breadth-first level); 0 saves only when the run stops early")
	fs.StringVar(&f.resume, "resume", "", "continue the check saved in `DIR` (by -checkpoint), and keep saving there; the model is the saved one, and a -model or configuration flags must name it")
	fs.Uint64Var(&f.hashSeed, "hash-seed", 0, "fingerprint states with the hash of seed `N` instead of the default (0): a second run of a model whose collision probability is not negligible, with another seed, has independent collisions; the same distinct states in both make a missed state very unlikely")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the check to `FILE` (go tool pprof)")
	fs.StringVar(&f.memprofile, "memprofile", "", "write a heap profile to `FILE` when the search ends, before its memory is freed (go tool pprof; every allocation of 64 KiB sampled)")
	f.config = newConfigFlags(fs)
	return f
}

// checkpointIdentity is what a checkpoint records of its model: its spec
// and, for a scheduler model, its config (machine, switches, a hash of the
// programs), so that a changed workload file is refused too.
func checkpointIdentity(t target) string {
	return "model=" + t.name + "\nconfig=" + t.config
}

// checkpointModel returns the model spec in a checkpoint's identity.
func checkpointModel(identity string) (string, error) {
	first, _, _ := strings.Cut(identity, "\n")
	name, ok := strings.CutPrefix(first, "model=")
	if !ok {
		return "", fmt.Errorf("the checkpoint names no model (identity %q)", identity)
	}
	return name, nil
}

// resumeModel returns the model spec of the checkpoint in dir, and whether
// -model or the configuration flags in args name one (which must then be
// the same).
func resumeModel(dir string, args []string) (saved string, given bool, err error) {
	id, err := checker.ReadCheckpointIdentity(dir)
	if err != nil {
		return "", false, fmt.Errorf("check: -resume: %w", err)
	}
	if saved, err = checkpointModel(id); err != nil {
		return "", false, fmt.Errorf("check: -resume %s: %w", dir, err)
	}
	probe := newCheckFlags(nil)
	if _, _, err := parseFlags(probe.fs, args); err != nil {
		return "", false, err
	}
	probe.fs.Visit(func(fl *flag.Flag) {
		given = given || fl.Name == "model" || slices.Contains(configFlagNames, fl.Name)
	})
	return saved, given, nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newCheckFlags(stderr)
	// -resume takes the model from the checkpoint: look for it before
	// the model is looked up.
	probe := newCheckFlags(nil)
	saved := ""
	if _, help, err := parseFlags(probe.fs, args); err == nil && !help && probe.resume != "" {
		var given bool
		if saved, given, err = resumeModel(probe.resume, args); err != nil {
			return fail(stderr, err)
		}
		if !given {
			args = append([]string{"-model", saved}, args...)
		}
	}
	t, code, ok := parseCommand(f.fs, args, &f.model, f.config, stdout, stderr)
	if !ok {
		return code
	}
	var ck *checker.Checkpoint
	if f.checkpoint != "" || f.resume != "" {
		dir := f.checkpoint
		if dir == "" {
			dir = f.resume
		}
		ck = &checker.Checkpoint{Dir: dir, Every: time.Duration(f.every), Identity: checkpointIdentity(t)}
	}
	if f.resume != "" && saved != t.name {
		return fail(stderr, fmt.Errorf("check: -resume %s: the checkpoint is of model %q, not %q", f.resume, saved, t.name))
	}
	switch {
	case ck != nil && !t.canCheckpoint:
		return fail(stderr, fmt.Errorf("check: model %s cannot be checkpointed: the checker cannot save its states (it is not a checker.Decoder); the scheduler models can", t.name))
	case f.every < 0:
		return fail(stderr, fmt.Errorf("check: -checkpoint-every %v is negative", time.Duration(f.every)))
	case f.workers < 0:
		return fail(stderr, fmt.Errorf("check: -workers %d is negative", f.workers))
	case f.workers > maxWorkers():
		return fail(stderr, fmt.Errorf("check: -workers %d: at most %d (four per CPU, and at least 64); more only cost memory and time", f.workers, maxWorkers()))
	case f.maxStates < 0:
		return fail(stderr, fmt.Errorf("check: -max-states %d is negative", f.maxStates))
	case f.maxDepth < 0:
		return fail(stderr, fmt.Errorf("check: -max-depth %d is negative", f.maxDepth))
	}
	format, err := outputFormat("check", f.format, f.json)
	if err != nil {
		return fail(stderr, err)
	}
	if isSchedSpec(t.name) {
		// Scheduler models are symmetric in Ps and Ms: reduce unless
		// told otherwise.
		set := false
		f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "symmetry" })
		if !set {
			f.symmetry = true
		}
	}
	opt := checker.Options{
		Workers:       f.workers,
		Symmetry:      f.symmetry,
		AllowDeadlock: f.noDeadlock,
		MaxStates:     f.maxStates,
		MaxDepth:      f.maxDepth,
		TimeLimit:     time.Duration(f.timeLimit),
		MemoryLimit:   uint64(f.mem),
		Checkpoint:    ck,
		Spill:         f.spill,
		HashSeed:      f.hashSeed,
	}
	if opt.Spill == "" && f.mem > 0 {
		opt.Spill = os.TempDir()
	}
	if opt.Spill != "" {
		// What is left on the heap is mostly the visited set and the
		// trace store: large arrays without pointers, which the
		// collector marks at almost no cost. Collecting five times as
		// often as by default keeps the garbage of the set's growth
		// from doubling the resident memory (docs/performance.md: 26.5
		// rather than 32 bytes per state at 40M states, no slower).
		defer debug.SetGCPercent(debug.SetGCPercent(20))
	}
	if f.progress {
		opt.Progress = stderr
	}
	if f.mem > 0 {
		// The bound is on the live heap: let the collector work harder
		// near it, rather than stop the check for garbage not yet
		// collected.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(f.mem)))
	}
	stopProfiles, err := startProfiles(f.cpuprofile, f.memprofile)
	if err != nil {
		return fail(stderr, fmt.Errorf("check: %w", err))
	}
	if format == "text" {
		writeModelLines(stdout, t)
	}
	var res *checker.Result
	if f.resume != "" {
		var err error
		if res, err = t.resume(ctx, opt); err != nil {
			return fail(stderr, fmt.Errorf("check: -resume: %w", err))
		}
	} else {
		res = t.check(ctx, opt)
	}
	if err := stopProfiles(); err != nil {
		return fail(stderr, fmt.Errorf("check: %w", err))
	}
	if ck != nil {
		reportCheckpoint(stderr, res, ck.Dir)
	}
	return finish(t, res, format, reportOptions{
		mode:      modeCheck,
		repro:     reproCommand(t.name, f.noDeadlock),
		noDead:    f.noDeadlock,
		allStates: f.states,
	}, stdout, stderr)
}

// reportCheckpoint says on stderr where an incomplete run's checkpoint is,
// and why a checkpoint could not be written.
func reportCheckpoint(stderr io.Writer, res *checker.Result, dir string) {
	if res == nil {
		return
	}
	if res.CheckpointError != "" {
		fmt.Fprintf(stderr, "gmpcheck: %s\n", res.CheckpointError)
	}
	if res.Verdict == checker.VerdictIncomplete && res.Checkpoints > 0 && res.CheckpointError == "" {
		seed := ""
		if res.HashSeed != 0 {
			seed = fmt.Sprintf(" -hash-seed %d", res.HashSeed)
		}
		fmt.Fprintf(stderr, "gmpcheck: the search is saved in %s; continue it with: go run ./cmd/gmpcheck check -resume %s%s\n", dir, shellQuote(dir), seed)
	}
}

// maxWorkers bounds -workers: four goroutines per CPU, at least 64.
func maxWorkers() int { return max(64, 4*runtime.NumCPU()) }

// formatUsage documents -format.
const formatUsage = "output `format`: text (for people), json (the result, replayable: its violation has the path), dot (the counterexample as a Graphviz graph) or html (the counterexample as a timeline page, one self-contained file)"

// outputFormat validates -format, with -json as its shorthand.
func outputFormat(cmd, format string, asJSON bool) (string, error) {
	switch {
	case asJSON && format != "text" && format != "json":
		return "", fmt.Errorf("%s: -json and -format %s disagree", cmd, format)
	case asJSON:
		return "json", nil
	case format == "text" || format == "json" || format == "dot" || format == "html":
		return format, nil
	}
	return "", fmt.Errorf("%s: -format %q: want text, json, dot or html", cmd, format)
}

// finish prints res in format and returns the exit code it calls for.
func finish(t target, res *checker.Result, format string, ro reportOptions, stdout, stderr io.Writer) int {
	if res == nil {
		fmt.Fprintf(stderr, "gmpcheck: internal error: the checker returned no result\n")
		return exitIncomplete
	}
	switch format {
	case "json":
		if err := writeJSON(stdout, resultJSON{Model: t.name, Config: t.config, Result: jsonSafe(res)}); err != nil {
			fmt.Fprintf(stderr, "gmpcheck: writing JSON: %v\n", err)
			return exitUsage
		}
	case "dot":
		writeResultDot(stdout, t, res, ro)
	case "html":
		if err := writeResultHTML(stdout, t, res, ro); err != nil {
			fmt.Fprintf(stderr, "gmpcheck: writing the timeline page: %v\n", err)
			return exitFailed
		}
	default:
		writeReport(stdout, t, res, ro)
	}
	switch res.Verdict {
	case checker.VerdictOK:
		return exitOK
	case checker.VerdictViolation:
		return exitViolation
	}
	return exitIncomplete
}

// resultJSON is what check and simulate print with -json: the result, and
// the model it is of, so that replay can tell.
type resultJSON struct {
	Model  string `json:"model"`
	Config string `json:"config,omitempty"`
	*checker.Result
}

// writeModelLines prints the model's name and summary, and its config.
func writeModelLines(w io.Writer, t target) {
	fmt.Fprintf(w, "model       %s: %s\n", t.name, t.doc)
	if t.config != "" {
		fmt.Fprintf(w, "config      %s\n", t.config)
	}
}

// reproCommand is the replay command line for the model, without -path.
func reproCommand(model string, noDeadlock bool) string {
	s := "go run ./cmd/gmpcheck replay -model " + shellQuote(model)
	if noDeadlock {
		s += " -no-deadlock"
	}
	return s
}

// parseCommand parses a command's flags, which include -model and the
// configuration flags cf, rejects positional arguments, and looks the model
// up (setting *model to the model spec the flags name). If ok is false the
// command is over and code is its exit code.
func parseCommand(fs *flag.FlagSet, args []string, model *string, cf *configFlags, stdout, stderr io.Writer) (t target, code int, ok bool) {
	pos, help, err := parseFlags(fs, args)
	if err != nil {
		return t, fail(stderr, err), false
	}
	if help {
		commandUsage(stdout, fs.Name())
		return t, exitOK, false
	}
	if len(pos) > 0 {
		return t, fail(stderr, fmt.Errorf("%s: unexpected argument %q", fs.Name(), pos[0])), false
	}
	if *model, err = cf.compose(fs, *model); err != nil {
		return t, fail(stderr, fmt.Errorf("%s: %v", fs.Name(), err)), false
	}
	t, err = lookupTarget(*model)
	if err != nil {
		return t, fail(stderr, fmt.Errorf("%s: %v", fs.Name(), err)), false
	}
	setCurrentModel(t.name)
	return t, exitOK, true
}

// ---- simulate ----

type simulateFlags struct {
	fs         *flag.FlagSet
	model      string
	seed       int64
	walks      int
	steps      int
	noDeadlock bool
	json       bool
	format     string
	states     bool
	config     *configFlags
}

func newSimulateFlags() *simulateFlags {
	f := &simulateFlags{fs: flag.NewFlagSet("simulate", flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.model, "model", defaultModel(), "the `NAME` of the model to simulate (see 'gmpcheck list')")
	fs.Int64Var(&f.seed, "seed", 1, "random `seed`; the same seed gives the same walks")
	fs.IntVar(&f.walks, "walks", 1000, "`N` random walks")
	fs.IntVar(&f.steps, "steps", 1000, "at most `N` steps per walk")
	fs.BoolVar(&f.noDeadlock, "no-deadlock", false, "accept states without enabled actions")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON on stdout, and nothing else (-format json)")
	fs.StringVar(&f.format, "format", "text", formatUsage)
	fs.BoolVar(&f.states, "states", false, "print the full state at every step of a trace")
	f.config = newConfigFlags(fs)
	return f
}

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newSimulateFlags()
	t, code, ok := parseCommand(f.fs, args, &f.model, f.config, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case f.walks < 1:
		return fail(stderr, fmt.Errorf("simulate: -walks %d: want at least 1", f.walks))
	case f.steps < 1:
		return fail(stderr, fmt.Errorf("simulate: -steps %d: want at least 1", f.steps))
	}
	format, err := outputFormat("simulate", f.format, f.json)
	if err != nil {
		return fail(stderr, err)
	}
	if format == "text" {
		writeModelLines(stdout, t)
		fmt.Fprintf(stdout, "walks       %d of at most %d steps, seed %d\n", f.walks, f.steps, f.seed)
	}
	res := t.simulate(ctx, checker.SimOptions{
		Seed:          f.seed,
		Walks:         f.walks,
		MaxSteps:      f.steps,
		AllowDeadlock: f.noDeadlock,
	})
	code = finish(t, res, format, reportOptions{
		mode:      modeSimulate,
		repro:     reproCommand(t.name, f.noDeadlock),
		noDead:    f.noDeadlock,
		allStates: f.states,
	}, stdout, stderr)
	// Random walks exhaust nothing: only a violation or an interrupt
	// changes the exit code.
	if code == exitIncomplete && res != nil && ctx.Err() == nil {
		return exitOK
	}
	return code
}

// ---- replay ----

type replayFlags struct {
	fs         *flag.FlagSet
	model      string
	path       string
	format     string
	noDeadlock bool
	states     bool
	config     *configFlags
}

func newReplayFlags() *replayFlags {
	f := &replayFlags{fs: flag.NewFlagSet("replay", flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.model, "model", defaultModel(), "the `NAME` of the model the path belongs to (see 'gmpcheck list')")
	fs.StringVar(&f.path, "path", "", "the action `path` to follow, such as 0/2/1 (or give a FILE argument)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text, json (the trace and its violation), dot (a Graphviz graph) or html (a timeline page, one self-contained file)")
	fs.BoolVar(&f.noDeadlock, "no-deadlock", false, "do not report a final state without enabled actions")
	fs.BoolVar(&f.states, "states", false, "print the full state at every step")
	f.config = newConfigFlags(fs)
	return f
}

// replayJSON is what replay -format json prints.
type replayJSON struct {
	Model     string             `json:"model"`
	Config    string             `json:"config,omitempty"`
	Path      string             `json:"path"`
	Trace     []checker.Step     `json:"trace"`
	Violation *checker.Violation `json:"violation,omitempty"`
}

func runReplay(_ context.Context, args []string, stdout, stderr io.Writer) int {
	f := newReplayFlags()
	pos, help, err := parseFlags(f.fs, args)
	if err != nil {
		return fail(stderr, err)
	}
	if help {
		commandUsage(stdout, "replay")
		return exitOK
	}
	if _, err := outputFormat("replay", f.format, false); err != nil {
		return fail(stderr, err)
	}
	modelSet := false
	f.fs.Visit(func(fl *flag.Flag) { modelSet = modelSet || fl.Name == "model" })

	pathText := f.path
	var saved savedRun
	switch {
	case len(pos) > 1:
		return fail(stderr, fmt.Errorf("replay: want one FILE argument, got %d", len(pos)))
	case len(pos) == 1 && f.path != "":
		return fail(stderr, fmt.Errorf("replay: give -path or a FILE, not both"))
	case len(pos) == 1:
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return fail(stderr, fmt.Errorf("replay: %v", err))
		}
		saved, err = pathFromFile(data)
		if err != nil {
			return fail(stderr, fmt.Errorf("replay: %s: %v", pos[0], err))
		}
		pathText = saved.path
		if saved.model != "" && !modelSet {
			f.model = saved.model
		}
	case f.path == "":
		return fail(stderr, fmt.Errorf("replay: no path: give -path 0/2/1 or a FILE"))
	}
	path, err := checker.ParsePath(pathText)
	if err != nil {
		return fail(stderr, fmt.Errorf("replay: bad path %q: %v", pathText, err))
	}
	if f.model, err = f.config.compose(f.fs, f.model); err != nil {
		return fail(stderr, fmt.Errorf("replay: %v", err))
	}
	t, err := lookupTarget(f.model)
	if err != nil {
		return fail(stderr, fmt.Errorf("replay: %v", err))
	}
	if err := saved.matches(t); err != nil {
		return fail(stderr, fmt.Errorf("replay: %s: %v", pos[0], err))
	}
	r, err := t.replay(path, f.noDeadlock)
	if err != nil {
		return fail(stderr, fmt.Errorf("replay: model %s, path %s: %v", t.name, checker.FormatPath(path), err))
	}
	code := exitOK
	if r.violation != nil {
		code = exitViolation
	}

	if f.format == "json" {
		out := replayJSON{Model: t.name, Config: t.config, Path: checker.FormatPath(path), Trace: r.steps, Violation: r.violation}
		if err := writeJSON(stdout, out); err != nil {
			return fail(stderr, err)
		}
		return code
	}
	if f.format == "html" {
		doc, _, err := pathTimeline(t, path, f.noDeadlock)
		if err == nil {
			err = writePage(stdout, doc, nil)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gmpcheck: replay: writing the timeline page: %v\n", err)
			return exitFailed
		}
		return code
	}
	if f.format == "dot" {
		title := "no violation on this path"
		loop := -1
		if v := r.violation; v != nil {
			title = violationTitle(v)
			loop = v.Loop
		}
		n := len(r.steps)
		if v := r.violation; v != nil && v.Kind != "eventually" {
			n = len(v.Trace) // the path up to the violation
		}
		writeDot(stdout, t.name, title, r.steps[:n], r.states[:min(n, len(r.states))], loop)
		return code
	}
	fmt.Fprintf(stdout, "model  %s: %s\n", t.name, t.doc)
	if t.config != "" {
		fmt.Fprintf(stdout, "config %s\n", t.config)
	}
	fmt.Fprintf(stdout, "path   %s (%d states)\n\n", checker.FormatPath(path), len(r.steps))
	tv := traceView{steps: r.steps, states: r.states, loop: -1, mark: len(r.steps) - 1, allStates: f.states}
	if v := r.violation; v != nil {
		tv.mark = len(v.Trace) - 1
		tv.markNote = v.Property + " violated"
		if v.Kind == "deadlock" {
			tv.markNote = "deadlock"
		}
		if v.Kind == "eventually" {
			tv.loop = v.Loop
			tv.mark, tv.markNote = len(r.steps)-1, ""
		}
	}
	writeTrace(stdout, tv)
	fmt.Fprintln(stdout)
	switch v := r.violation; {
	case v == nil:
		fmt.Fprintln(stdout, "no violation on this path (checked: always properties, deadlock, and eventually properties if the path ends in a cycle)")
	case v.Kind == "eventually" && v.Loop >= 0:
		fmt.Fprintf(stdout, "violation: %s (eventually): the path ends in a fair cycle from state %d on which it never holds\n", v.Property, v.Loop)
	case v.Kind == "eventually":
		fmt.Fprintf(stdout, "violation: %s (eventually): the path ends without it holding and cannot go on\n", v.Property)
	case v.Kind == "deadlock":
		fmt.Fprintf(stdout, "violation: deadlock at state %d, path %s\n", len(v.Trace)-1, v.Path)
	default:
		fmt.Fprintf(stdout, "violation: %s (%s) at state %d, path %s\n", v.Property, v.Kind, len(v.Trace)-1, v.Path)
	}
	return code
}

// A savedRun is what a saved report says about the run it reports: the
// path to replay, and the model and config it was of (each empty if the
// file does not say).
type savedRun struct {
	path, model, config string
}

// matches reports whether the saved run belongs to target t: same model
// name, or else the same config; an error says which fields differ.
func (s savedRun) matches(t target) error {
	switch {
	case s.model == "" && s.config == "":
		return nil // a bare path: nothing to compare
	case s.config != "" && t.config != "":
		if s.config == t.config {
			return nil
		}
		return fmt.Errorf("the path is of model %s (%s), not of %s (%s): they differ in %s",
			orUnknown(s.model), s.config, t.name, t.config, strings.Join(configDiff(s.config, t.config), ", "))
	case s.model != "" && s.model != t.name:
		return fmt.Errorf("the path is of model %s, not of %s", s.model, t.name)
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return s
}

// Patterns for finding a path in a file.
var (
	pathLineRE   = regexp.MustCompile(`^[0-9]+(?:/[0-9]+)*$`)
	configLineRE = regexp.MustCompile(`^config +(.+)$`)
)

// isPath reports whether s is a path checker.ParsePath reads.
func isPath(s string) bool {
	if !pathLineRE.MatchString(s) {
		return false
	}
	_, err := checker.ParsePath(s)
	return err == nil
}

// pathFromFile finds a path in a file: a JSON object with a "path" field
// (a Violation, or replay -json's output) or a "violation" with one (a
// Result, as check -json prints it), with its "model" and "config"; or
// else the first line that is a path or holds a "-path PATH" flag (such as
// gmpcheck's "to reproduce" line, or a golden trace header), read as a
// shell command line for its -model, and the report's "config" line.
func pathFromFile(data []byte) (savedRun, error) {
	var s savedRun
	if text := strings.TrimSpace(string(data)); strings.HasPrefix(text, "{") {
		var obj struct {
			Path      string `json:"path"`
			Model     string `json:"model"`
			Config    string `json:"config"`
			Violation *struct {
				Path string `json:"path"`
			} `json:"violation"`
		}
		if err := json.Unmarshal([]byte(text), &obj); err != nil {
			return s, fmt.Errorf("bad JSON: %v", err)
		}
		s.model, s.config = obj.Model, obj.Config
		switch {
		case obj.Path != "":
			s.path = obj.Path
		case obj.Violation != nil && obj.Violation.Path != "":
			s.path = obj.Violation.Path
		default:
			return s, fmt.Errorf("the JSON object has no \"path\" (nor violation.path)")
		}
		if !isPath(s.path) {
			return s, fmt.Errorf("the JSON path %q is not a path such as 0/2/1", s.path)
		}
		return s, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if m := configLineRE.FindStringSubmatch(line); m != nil && s.config == "" {
			s.config = strings.TrimSpace(m[1])
			continue
		}
		if s.path != "" {
			continue
		}
		if isPath(line) {
			s.path = line
			continue
		}
		if !strings.Contains(line, "-path") {
			continue
		}
		words, err := shellWords(strings.TrimLeft(line, "# "))
		if err != nil {
			continue
		}
		for i, w := range words {
			switch {
			case (w == "-path" || w == "--path") && i+1 < len(words) && isPath(words[i+1]):
				s.path = words[i+1]
			case strings.HasPrefix(w, "-path=") && isPath(w[6:]):
				s.path = w[6:]
			case (w == "-model" || w == "--model") && i+1 < len(words):
				s.model = words[i+1]
			case strings.HasPrefix(w, "-model="):
				s.model = w[7:]
			}
		}
		if s.path == "" {
			s.model = ""
		}
	}
	if s.path == "" {
		return s, fmt.Errorf("no path found: want a line such as 0/2/1 or -path 0/2/1, or a JSON object with \"path\"")
	}
	return s, nil
}

// ---- list ----

func runList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	pos, help, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return fail(stderr, err)
	case help:
		commandUsage(stdout, "list")
		return exitOK
	case len(pos) > 0:
		return fail(stderr, fmt.Errorf("list: unexpected argument %q", pos[0]))
	}
	for i, t := range targets() {
		def := ""
		if i == 0 {
			def = " (default)"
		}
		fmt.Fprintf(stdout, "%s%s\n    %s\n", t.name, def, t.doc)
		var rows [][2]string
		for _, p := range t.properties {
			rows = append(rows, [2]string{p.kind, p.name})
		}
		writeTable(stdout, "    ", rows)
	}
	return exitOK
}

// ---- flag values ----

// durationValue is a non-negative time.Duration flag.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 90s or 10m")
	}
	if v < 0 {
		return fmt.Errorf("negative duration")
	}
	*d = durationValue(v)
	return nil
}

// sizeValue is a byte count flag: a number of bytes with an optional unit,
// B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of
// 1024), case-insensitive; such as 4GiB or 1.5GB.
type sizeValue uint64

func (s *sizeValue) String() string {
	if *s == 0 {
		return "0"
	}
	return fmt.Sprint(uint64(*s))
}

func (s *sizeValue) Set(text string) error {
	v, err := parseSize(text)
	if err != nil {
		return err
	}
	*s = sizeValue(v)
	return nil
}

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

var sizeRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

func parseSize(text string) (uint64, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return 0, fmt.Errorf("want a size such as 4GiB, 512MB or 1000000 (bytes)")
	}
	unit, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q: want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB", m[2])
	}
	var n float64
	if _, err := fmt.Sscan(m[1], &n); err != nil {
		return 0, fmt.Errorf("bad number %q", m[1])
	}
	v := n * unit
	if v >= 1<<64 {
		return 0, fmt.Errorf("too large")
	}
	return uint64(v), nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
