package properties

import (
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/gmpspec/gmpspec/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// schedulerProperty is every property of this package on one run of a
// configuration drawn from gen: three rounds of random steps and settling
// with work conservation checked at quiescence, then steps to the end of
// the run (at most a drawn number) and checkdead compared with the ground truth; every Always
// property of the spec and the goroutine ledger after every step. It
// appends the length of each run to lens.
func schedulerProperty(gen *rapid.Generator[*spec.Config], lens *[]int) func(*rapid.T) {
	return func(t *rapid.T) {
		w, tr := analyzedWalk(t, gen.Draw(t, "config"))
		defer func() { *lens = append(*lens, w.Len()) }()
		checkQuiescence(t, w, newStats())
		// Drawn, so that a failure found at the end of a run (a
		// missed deadlock) shrinks to a short run and a settle.
		w.Run(t, w.Len()+rapid.IntRange(0, runSteps).Draw(t, "steps to the end"))
		w.CheckEnd(t, tr)
	}
}

// A tb is a rapid.TB that records instead of failing, so that a test can
// run rapid.Check on a property it expects to fail and look at the result.
type tb struct {
	name   string
	failed bool
	out    []string
}

func (f *tb) Helper()                           {}
func (f *tb) Name() string                      { return f.name }
func (f *tb) Logf(format string, args ...any)   { f.out = append(f.out, fmt.Sprintf(format, args...)) }
func (f *tb) Log(args ...any)                   { f.out = append(f.out, fmt.Sprint(args...)) }
func (f *tb) Skipf(format string, args ...any)  { f.Logf(format, args...) }
func (f *tb) Skip(args ...any)                  { f.Log(args...) }
func (f *tb) SkipNow()                          {}
func (f *tb) Errorf(format string, args ...any) { f.failed = true; f.Logf(format, args...) }
func (f *tb) Error(args ...any)                 { f.failed = true; f.Log(args...) }
func (f *tb) Fatalf(format string, args ...any) { f.failed = true; f.Logf(format, args...) }
func (f *tb) Fatal(args ...any)                 { f.failed = true; f.Log(args...) }
func (f *tb) FailNow()                          { f.failed = true }
func (f *tb) Fail()                             { f.failed = true }
func (f *tb) Failed() bool                      { return f.failed }

var _ rapid.TB = (*tb)(nil)

// A hunt is the result of running a property with rapid on a fake TB.
type hunt struct {
	found    bool
	checks   int    // the check that failed first (1-based), or the checks run
	steps    int    // steps walked up to and including that check
	property string // the failure's first line
	shrunk   int    // the steps of the shrunk trace
	seed     string // the -rapid.seed that reproduces it
	seconds  float64
}

var (
	failedAfter = regexp.MustCompile(`\[rapid\] failed after (\d+) tests: (.*)`)
	traceLen    = regexp.MustCompile(`trace \((\d+) steps\)`)
	seedRe      = regexp.MustCompile(`-rapid\.seed=(\d+)`)
)

// huntBug runs prop with rapid and reports whether and how it fails.
func huntBug(name string, prop func(lens *[]int) func(*rapid.T)) hunt {
	var lens []int
	f := &tb{name: name}
	start := time.Now()
	rapid.Check(f, prop(&lens))
	h := hunt{found: f.failed, seconds: time.Since(start).Seconds()}
	text := strings.Join(f.out, "\n")
	h.checks = len(lens)
	if m := failedAfter.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		h.checks = n + 1
		h.property = m[2]
	}
	for _, l := range lens[:min(h.checks, len(lens))] {
		h.steps += l
	}
	if m := traceLen.FindAllStringSubmatch(text, -1); m != nil {
		h.shrunk, _ = strconv.Atoi(m[len(m)-1][1])
	}
	if m := seedRe.FindStringSubmatch(text); m != nil {
		h.seed = m[1]
	}
	return h
}

// setFlags sets rapid's flags for one test, except those given on the
// command line, and restores them when the test ends. It reports whether
// any of the flags in pinned was given on the command line.
func setFlags(t *testing.T, values map[string]string, pinned ...string) (userSet bool) {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, v := range values {
		if given[name] {
			continue
		}
		old := flag.Lookup(name).Value.String()
		require.NoError(t, flag.Set(name, v))
		t.Cleanup(func() { _ = flag.Set(name, old) })
	}
	for _, name := range pinned {
		userSet = userSet || given[name]
	}
	return userSet
}

// bugSeed makes TestBugSwitches reproducible: rapid's seed is random
// otherwise, and whether 100 checks find a switch depends on it.
const bugSeed = "1"

// foundByRapid pins which switches rapid finds in TestBugSwitches (with
// -rapid.checks=100 and -rapid.seed=1): in the switch's own workload, with
// random schedules; and in random workloads with the switch on. A switch
// missing here is new: the test prints the line to add.
var foundByRapid = map[string]struct{ workload, random bool }{
	"go1.17-recheck":                {true, true},
	"no-mreserveid":                 {false, false},
	"allocm-ready":                  {true, true},
	"no-timer-recheck":              {false, false},
	"no-runq-recheck":               {true, false},
	"resetspinning-twice":           {true, true},
	"checkdead-no-nmsys":            {true, true},
	"wakep-no-undo":                 {true, true},
	"gopark-unlock-first":           {true, false},
	"checkdead-no-waiting":          {true, true},
	"drop-idle-before-releasep":     {true, true},
	"drop-keeps-p":                  {true, true},
	"drop-no-dance":                 {true, true},
	"entersyscall-no-wake-sysmon":   {false, false},
	"exitsyscall-ignores-scan":      {true, true},
	"exitsyscall-no-cas":            {true, true},
	"exitsyscall-slow-with-p":       {true, true},
	"forcegc-keeps-idle":            {true, true},
	"globrunqget-no-cap":            {true, false},
	"globrunqget-no-plus-one":       {true, true},
	"go1.14-exitsyscall-no-cas":     {true, false},
	"go1.14-exitsyscallfast-no-cas": {false, false},
	"go1.14-retake-no-cas":          {true, false},
	"handoffp-ignores-runq":         {true, false},
	"mget-no-unlink":                {true, true},
	"mput-no-checkdead":             {true, true},
	"startm-no-nextp":               {true, true},
	"checkdead-no-mcount":           {true, true},
	"injectglist-no-wakep":          {false, false},
	"mput-no-nmidle":                {true, true},
	"netpoll-before-dance":          {true, true},
	"netpoll-ignores-waiters":       {true, false},
	"netpoll-pop-readies":           {true, true},
	"netpoll0-blocks":               {true, true},
	"pidleput-no-npidle":            {true, true},
	"releasep-twice":                {true, true},
	"resetspinning-unconditional":   {true, true},
	"retake-incidlelocked-sign":     {true, true},
	"runqget-no-runnext":            {true, true},
	"runqgrab-takes-all":            {true, false},
	"startm-nextp-first":            {true, true},
	"startm-spinning-first":         {true, true},
	"steal-runnext-no-cas":          {true, true},
	"steal-skips-idle-timers":       {false, false},
	"takep-resumes":                 {true, true},
	"wakep-lost-cas":                {true, true},
	"wakep-no-pidleget":             {true, true},
	"wakesysmon-keeps-sysmonwait":   {false, false},
	"no-idle-gc-recheck":            {false, false},
	"dropp-no-safepoint":            {true, true},
	"handoffp-no-gcstop":            {false, false},
	"gcstopm-no-wakeup":             {true, true},
	"gcstopm-wakes-early":           {true, true},
	"gcstopm-spinning-twice":        {true, true},
	"stw-takep":                     {true, false},
	"starttheworld-nextp-first":     {true, true},
	"dropp-gcstopm":                 {true, true},
	"stw-idle-no-stopwait":          {true, true},
	"stw-no-wait":                   {true, true},
	"foreachp-asks-itself":          {true, true},
	"safepoint-wakes-early":         {true, true},
	"safepoint-no-wakeup":           {true, true},
	"foreachp-no-checks":            {true, false},
	"exitsyscall-stopm-locked":      {true, false},
	"exitsyscall0-lockedm-race":     {false, false},
	"go1.9-locked-exit":             {true, true},
	"schedule-no-lockedg-check":     {true, true},
	"startlockedm-no-incidlelocked": {true, true},
	"stoplockedm-keeps-p":           {true, true},
	"stoplockedm-spurious-wakeup":   {true, true},
	"unlockosthread-keeps-lockedm":  {true, true},
}

// TestBugSwitches runs schedulerProperty with each of spec.Bugs()'s
// switches, in the switch's workload (testdata/workloads) with random
// schedules and in random workloads, on a fake TB, and checks which ones
// rapid finds within the default number of checks against foundByRapid.
// It prints the table that docs/bugs.md's "found by rapid" column comes
// from. Fail files are not written (the failures are expected); rerun a
// row with the printed seed to see its shrunk trace.
func TestBugSwitches(t *testing.T) {
	userSet := setFlags(t, map[string]string{
		"rapid.seed":       bugSeed,
		"rapid.nofailfile": "true",
		"rapid.shrinktime": "500ms",
	}, "rapid.seed", "rapid.checks")
	userSet = userSet || testing.Short()

	type row struct {
		bug         spec.Bug
		load, rand  hunt
		workloadErr error
	}
	// The hunts are independent (each has its own seeded rapid run), so
	// they run side by side, GOMAXPROCS at a time; the rows stay in
	// spec.Bugs() order.
	bugs := spec.Bugs()
	rows := make([]row, len(bugs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, bug := range bugs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := row{bug: bug}
			c, err := spec.LoadWorkload(filepath.Join("..", "testdata", "workloads", bug.Workload+".txt"))
			if err != nil {
				r.workloadErr = err
			} else {
				c.Bugs = []string{bug.Name}
				c.Liveness = false // rapid checks safety; liveness switches are for the exhaustive checker
				r.load = huntBug(t.Name()+"/"+bug.Name+"/workload", func(lens *[]int) func(*rapid.T) {
					return schedulerProperty(rapid.Just(c), lens)
				})
			}
			random := rapid.Map(Config(Bounds{SpareMs: 1}), func(c *spec.Config) *spec.Config {
				c.Bugs = []string{bug.Name}
				return c
			})
			r.rand = huntBug(t.Name()+"/"+bug.Name+"/random", func(lens *[]int) func(*rapid.T) {
				return schedulerProperty(random, lens)
			})
			rows[i] = r
		}()
	}
	wg.Wait()

	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "switch\texpected property\tworkload\tfound\tchecks\tsteps\tshrunk\trandom\tchecks\tsteps\tshrunk\tseconds")
	cell := func(h hunt) string {
		if !h.found {
			return fmt.Sprintf("no\t%d\t%d\t-", h.checks, h.steps)
		}
		return fmt.Sprintf("yes\t%d\t%d\t%d", h.checks, h.steps, h.shrunk)
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\n", r.bug.Name, r.bug.Expect, r.bug.Workload, cell(r.load), cell(r.rand), r.load.seconds+r.rand.seconds)
	}
	tw.Flush()
	t.Logf("rapid on each bug switch (seed %s, %s):\n%s", flag.Lookup("rapid.seed").Value, "checks, steps: up to the first failing check; shrunk: steps of the shrunk trace", b.String())
	for _, r := range rows {
		for _, h := range []hunt{r.load, r.rand} {
			if h.found {
				t.Logf("%s: %s (reproduce: -run=%q -rapid.seed=%s)", r.bug.Name, h.property, t.Name(), h.seed)
			}
		}
	}

	var missing []string
	for _, r := range rows {
		if r.workloadErr != nil {
			t.Errorf("%s: workload %s: %v", r.bug.Name, r.bug.Workload, r.workloadErr)
		}
		want, ok := foundByRapid[r.bug.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("\t%q: {%v, %v},", r.bug.Name, r.load.found, r.rand.found))
			continue
		}
		if userSet {
			continue
		}
		assert.Equal(t, want.workload, r.load.found, "%s in its workload %s: found by rapid (pinned in foundByRapid)", r.bug.Name, r.bug.Workload)
		assert.Equal(t, want.random, r.rand.found, "%s in random workloads: found by rapid (pinned in foundByRapid)", r.bug.Name)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("new bug switches: add to foundByRapid in %s:\n%s", "properties/bugs_test.go", strings.Join(missing, "\n"))
	}
}
