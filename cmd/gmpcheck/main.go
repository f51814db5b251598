// Command gmpcheck model-checks gmpspec models.
//
// Usage:
//
//	gmpcheck [check] [-model NAME] [flags]   exhaustive breadth-first check
//	gmpcheck simulate [-model NAME] [flags]  random walks
//	gmpcheck swarm [-model NAME] [flags]     randomised depth-first shards
//	gmpcheck swarm merge RESULT.json...      merge shards' reports
//	gmpcheck replay [-model NAME] -path 0/2/1 | FILE
//	gmpcheck explore [-model NAME] [-port N]  walk the states in a browser
//	gmpcheck validate TRACE...                check Go execution traces
//	gmpcheck list                            list the models
//	gmpcheck help [COMMAND]
//
// Exit status: 0 if every property holds (or, for replay, the path shows no
// violation), 1 if a property is violated, 2 for bad input, 3 if a check
// stopped before exhausting the state space (a bound, an interrupt or
// SIGTERM), 4 if gmpcheck itself failed (a bug in it, or output it could not
// write).
//
// Run 'gmpcheck help' for the flags of each command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/gmpspec/gmpspec/checker"
)

// Exit codes.
const (
	exitOK         = 0 // every property holds; replay: no violation
	exitViolation  = 1 // a property is violated
	exitUsage      = 2 // bad input: flags, models, paths, files
	exitIncomplete = 3 // a bound or an interrupt ended the run early
	exitFailed     = 4 // gmpcheck failed: a bug in it (a panic), or output it could not write
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is gmpcheck with its arguments (without the program name) and output
// streams; it returns the exit code. An interrupt (Ctrl-C) or SIGTERM
// cancels the run in progress, which then reports what it found so far; a
// second one kills the process. A panic is reported as a bug in gmpcheck,
// with the command and the model, and exits 4; so does output that cannot
// be written.
func run(args []string, stdout, stderr io.Writer) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // restore the default: a second signal kills
	out := &errWriter{w: stdout}
	setCurrentModel("")
	defer func() {
		if p := recover(); p != nil {
			code = crashed(stderr, args, p)
		}
	}()
	code = runContext(ctx, args, out, stderr)
	if out.err != nil {
		fmt.Fprintf(stderr, "gmpcheck: writing the output: %v\n", out.err)
		return exitFailed
	}
	return code
}

// An errWriter remembers the first error its writer returned.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

// currentModel is the model spec the command is working on, for crash
// reports.
var currentModel atomic.Pointer[string]

func setCurrentModel(name string) { currentModel.Store(&name) }

// crashed reports a panic as a bug in gmpcheck and returns exitFailed.
func crashed(stderr io.Writer, args []string, p any) int {
	model := ""
	if m := currentModel.Load(); m != nil {
		model = *m
	}
	fmt.Fprintf(stderr, "gmpcheck: internal error: this is a bug in gmpcheck; please report it with the lines below\n")
	var quoted []string
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	fmt.Fprintf(stderr, "  command: gmpcheck %s\n", strings.Join(quoted, " "))
	if model != "" {
		fmt.Fprintf(stderr, "  model:   %s\n", model)
	}
	fmt.Fprintf(stderr, "  panic:   %v\n", p)
	var wp *checker.WorkerPanic
	if e, ok := p.(error); ok && errors.As(e, &wp) {
		fmt.Fprintf(stderr, "\n%s", wp.Stack)
	} else {
		fmt.Fprintf(stderr, "\n%s", debug.Stack())
	}
	return exitFailed
}

// A command is a gmpcheck subcommand.
type command struct {
	name    string
	summary string
	// run parses args and runs the command.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// flags returns the command's flag set, for help; it binds its
	// flags to throwaway variables.
	flags func() *flag.FlagSet
}

// testCommands are added to the commands by tests.
var testCommands []command

func commands() []command {
	return append([]command{
		{"check", "check every reachable state (the default command)", runCheck, func() *flag.FlagSet { return newCheckFlags(nil).fs }},
		{"simulate", "check random walks, for models too large to exhaust", runSimulate, func() *flag.FlagSet { return newSimulateFlags().fs }},
		{"swarm", "search in many randomised depth-first shards, for models too large to exhaust", runSwarm, func() *flag.FlagSet { return newSwarmFlags().fs }},
		{"replay", "print the trace of an action path and its first violation", runReplay, func() *flag.FlagSet { return newReplayFlags().fs }},
		{"explore", "walk the state space in a web browser, one action at a time", runExplore, func() *flag.FlagSet { return newExploreFlags().fs }},
		{"validate", "check Go execution traces against the model", runValidate, func() *flag.FlagSet { return newValidateFlags(nil).fs }},
		{"list", "list the models", runList, func() *flag.FlagSet { return flag.NewFlagSet("list", flag.ContinueOnError) }},
		{"invariants", "list a scheduler model's properties with their source lines", runInvariants, func() *flag.FlagSet { return newInvariantsFlags().fs }},
		{"bugs", "list the bug switches, or check each in its workload", runBugs, func() *flag.FlagSet { return newBugsFlags().fs }},
		{"help", "print this help, or a command's flags", runHelp, nil},
	}, testCommands...)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && isHelpFlag(args[0]) {
			usage(stdout)
			return exitOK
		}
		return runCheck(ctx, args, stdout, stderr) // bare gmpcheck == gmpcheck check
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return fail(stderr, fmt.Errorf("unknown command %q (commands: check, simulate, swarm, replay, explore, validate, list, invariants, bugs, help)", args[0]))
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "--h"
}

// fail prints err as gmpcheck's one-line complaint and returns exitUsage.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "gmpcheck: %v\n", err)
	return exitUsage
}

// parseFlags parses args with fs, which must have been made with
// flag.ContinueOnError. Arguments that are not flags are allowed anywhere
// (flags may follow them) and returned in order; "--" ends the flags.
// help reports -h.
func parseFlags(fs *flag.FlagSet, args []string) (positional []string, help bool, err error) {
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, nil
			}
			return nil, false, fmt.Errorf("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, false, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), false, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// commandUsage prints a command's synopsis and flags to w.
func commandUsage(w io.Writer, name string) {
	for _, c := range commands() {
		if c.name != name || c.flags == nil {
			continue
		}
		fmt.Fprintf(w, "usage: gmpcheck %s\n\n%s.\n", synopsis[name], upperFirst(c.summary))
		fs := c.flags()
		if n := countFlags(fs); n > 0 {
			fmt.Fprintf(w, "\nflags:\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
		if ex := examples[name]; ex != "" {
			fmt.Fprintf(w, "\nexamples:\n%s", ex)
		}
		return
	}
}

var synopsis = map[string]string{
	"check":      "[check] [-model NAME | -workload FILE] [configuration] [-workers N] [-symmetry] [-no-deadlock] [bounds] [-format text|json|dot|html] [-states] [-checkpoint DIR [-checkpoint-every D]] [-resume DIR]",
	"simulate":   "simulate [-model NAME | -workload FILE] [configuration] [-seed N] [-walks N] [-steps N] [-no-deadlock] [-format text|json|dot|html] [-states]",
	"swarm":      "swarm [-model NAME | -workload FILE] [configuration] [-shards N] [-shard I | -parallel P] [-seed N] [-time D] [-max-states N] [-max-depth N] [-bitstate BITS] [-json]\n       gmpcheck swarm merge [-json] RESULT.json...",
	"replay":     "replay [-model NAME | -workload FILE] [configuration] [-no-deadlock] [-states] [-format text|json|dot|html] (-path PATH | FILE)",
	"explore":    "explore [-model NAME | -workload FILE] [configuration] [-port PORT] [-no-deadlock] [-check-states N]",
	"list":       "list",
	"validate":   "validate [-strict] [-windows N] [-format text|json] TRACE...",
	"invariants": "invariants [-model SPEC] [-json]",
	"bugs":       "bugs [-verify [-max-states N]] [-json]",
}

var examples = map[string]string{
	"explore": `  gmpcheck explore                            the default model; open the printed URL
  gmpcheck explore -workload testdata/workloads/wakep-transient.txt -bug go1.17-recheck -port 8080

The page shows the state the path in its URL leads to (/?path=0/2/1): the
timeline of the path so far, the enabled actions as links in the runtime's
words, back and forward, the path as a replay command and a link to its
timeline page, each property's value in the state, and a link to the
counterexample a bounded check found at startup (-check-states). The server
keeps no state: a URL reproduces its page, so links can be shared. It
listens on 127.0.0.1 only. Ctrl-C stops it (exit 0).
`,
	"check": `  gmpcheck                                    check the default model
  gmpcheck check -model mutex-racy            a mutant: prints a counterexample
  gmpcheck check -max-states 1000000 -time 10m -mem 4GiB
  gmpcheck check -json > result.json
  gmpcheck check -model mutex-racy -format dot | dot -Tsvg > trace.svg
  gmpcheck check -workload testdata/workloads/wakep-transient.txt -bug go1.17-recheck -format html > t.html
  gmpcheck check -workload testdata/workloads/pingpong.txt -bug no-runq-recheck
  gmpcheck check -workload testdata/workloads/spawn-heavy.txt -gomaxprocs 3 -runq 4 -max-states 5000000
  gmpcheck check -workload testdata/workloads/go114-timers.txt -profile go1.26
  gmpcheck check -features sysmon,netpoll,forcegc -checkpoint ck -checkpoint-every 5m
  gmpcheck check -resume ck                   continue it after Ctrl-C, SIGTERM, a bound or a crash

With -checkpoint, the search is saved in DIR at a breadth-first level
boundary every -checkpoint-every, and when a bound, Ctrl-C or SIGTERM stops
it (a kill or a crash loses at most the time since the last save): the
visited set, the frontier, the trace store and the statistics, written
atomically. -resume DIR continues it (the model is the saved one) with the
same distinct states, depth, verdict and counterexample as one run, and
refuses a checkpoint of another model, workload contents, options or format
(exit 2). Only the safety search is saved; -live's phase starts afresh.
`,
	"simulate": `  gmpcheck simulate -model mutex3 -seed 7 -walks 100 -steps 50
`,
	"swarm": `  gmpcheck swarm -workload testdata/workloads/default-forcegc.txt -bug no-runq-recheck -shards 8 -parallel 2 -time 30s
  gmpcheck swarm -workload testdata/workloads/default.txt -features sysmon,netpoll,forcegc -shards 64 -shard 3 -time 10m -bitstate 32 -json > shard-3.json
  gmpcheck swarm merge shard-*.json

Each shard searches depth-first, trying the initial states and each
state's actions in a random order drawn from (-seed, its index), within
its budget (-time, -max-states), and reports the action kinds it fired, the
sometimes properties it reached and the first violation it met, with a
path that 'gmpcheck replay' follows (not a shortest one). With -shard I it
runs that shard alone, as one pod of a Kubernetes Indexed Job does
(deploy/swarm-job.yaml passes JOB_COMPLETION_INDEX); without it, it runs
every shard as a child process, -parallel at a time, stops them at the
first violation (unless -keep-going) and merges them. 'swarm merge'
combines -json reports: coverage adds up, and the shortest example and
violation win. Exit status: 1 a violation, 0 none found (a swarm proves
nothing), 3 interrupted.
`,
	"validate": `  go test -trace trace.out ./mypkg && gmpcheck validate trace.out
  gmpcheck validate -json a.trace b.trace
  gmpcheck validate -strict trace.out          no abstractions: stop-the-world steals are rejected
`,
	"replay": `  gmpcheck replay -model mutex-racy -path 0/0/0/1/1/0/1
  gmpcheck replay -format html testdata/traces/go1.17-recheck.txt > t.html   a pinned trace as a timeline page
  gmpcheck replay -model mutex-racy result.json   the "path" of a -json result
  gmpcheck replay trace.txt                       a file with a "-path ..." line
`,
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gmpcheck model-checks gmpspec models.

usage:
  gmpcheck [command] [flags]

commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Without a command, gmpcheck runs check. 'gmpcheck help COMMAND' lists a
command's flags.

exit status:
  0  every property holds (replay: the path shows no violation)
  1  a property is violated
  2  bad input: unknown command, flag or model, bad value, bad path
  3  incomplete: a bound (-max-states, -max-depth, -time, -mem), Ctrl-C or
     SIGTERM ended the check before the state space was exhausted (what was
     found so far is reported)
  4  gmpcheck failed: a bug in gmpcheck (a panic, reported with the command
     and the model), or output that could not be written
  validate: 0 every transition explained, 1 a transition the model cannot
  explain, 2 an unreadable trace, 3 interrupted
  swarm: 0 no violation found (a swarm proves nothing), 1 a violation,
  3 interrupted

models:
  sched                              the scheduler's default configuration (the default)
  testdata/workloads/NAME.txt        a scheduler workload file
  'FILE[bug=NAME,profile=go1.14,live]'  with bug switches, the Go 1.14 profile, liveness
  'FILE[gomaxprocs=N,ms=N,runq=N,features=sysmon+netpoll]'
                                     with the workload's sizes or features replaced
  mutex, mutex3, mutex-racy, ...     example models ('gmpcheck list')

examples:
  go run ./cmd/gmpcheck                       check the default scheduler configuration
  go run ./cmd/gmpcheck check -model 'testdata/workloads/pingpong.txt[bug=no-runq-recheck]'
  go run ./cmd/gmpcheck check -model testdata/workloads/go114-timers.txt
  go run ./cmd/gmpcheck bugs -verify          every bug switch in its workload
  go run ./cmd/gmpcheck invariants            the properties and their source lines
  go run ./cmd/gmpcheck check -model mutex-racy
  go run ./cmd/gmpcheck replay -model mutex-racy -path 0/0/0/1/1/0/1
  go run ./cmd/gmpcheck simulate -model testdata/workloads/syscall-heavy.txt -seed 7 -walks 100
  go run ./cmd/gmpcheck check -checkpoint ck  save the search; continue with check -resume ck
  go run ./cmd/gmpcheck swarm -workload testdata/workloads/default-forcegc.txt -shards 8 -time 30s
  go run ./cmd/gmpcheck validate trace.out    a Go execution trace against the model
  go run ./cmd/gmpcheck explore               walk the default model's states in a browser
`)
}

func runHelp(_ context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return exitOK
	case len(args) > 1:
		return fail(stderr, fmt.Errorf("help: want at most one command, got %q", args))
	}
	for _, c := range commands() {
		if c.name == args[0] && c.flags != nil {
			commandUsage(stdout, c.name)
			return exitOK
		}
	}
	if args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	return fail(stderr, fmt.Errorf("help: unknown command %q", args[0]))
}

func countFlags(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
