package properties

import (
	"testing"

	"github.com/gmpspec/gmpspec/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// stats counts what a rapid property saw over all its checks, so that a test
// can show it was not vacuous. Checks run one at a time.
type stats struct {
	runs, steps int
	ends        map[End]int
	verdicts    map[Verdict]int
	kinds       map[string]bool

	quiescent, idle, unsettled int // TestWorkConservation
}

func newStats() *stats {
	return &stats{ends: make(map[End]int), verdicts: make(map[Verdict]int), kinds: make(map[string]bool)}
}

func (st *stats) add(w *Walk, e End) {
	st.runs++
	st.steps += w.Len()
	st.ends[e]++
	kinds := w.M.ActionKinds()
	for _, a := range w.Acts {
		st.kinds[kinds[w.M.Kind(a)]] = true
	}
}

// checks is the number of checks rapid.Check runs (it divides -rapid.checks
// by 5 under -short); runs below are compared with it.
func checks(t *testing.T, runs int) {
	t.Helper()
	if runs == 0 {
		t.Fatal("rapid ran no checks")
	}
}

// minKinds is how many of the spec's step kinds runs random walks take at
// least: about 100 of 150 in 100 runs, half as many in the 20 of -short.
func minKinds(runs int) int {
	if runs < 100 {
		return 30
	}
	return 60
}

// walkSteps bounds the walks of the state-machine tests: most runs end (main
// exits or checkdead reports) well before (the median run of a random
// workload is about 35 steps, the 95th percentile under 200).
const walkSteps = 400

// testStateMachine drives the spec with random enabled actions on the
// configurations of b, checking every invariant after every step.
func testStateMachine(t *testing.T, b Bounds) *stats {
	st := newStats()
	rapid.Check(t, func(t *rapid.T) {
		c := Config(b).Draw(t, "config")
		w, err := NewWalk(c)
		if err != nil {
			t.Fatal(err)
		}
		w.Run(t, walkSteps)
		st.add(w, w.End())
	})
	return st
}

// TestStateMachine: every Always property of the spec (every throw, the
// structural invariants, checkdead-no-false-deadlock, work-conservation,
// ...) and the conservation of goroutines hold after every step of random
// walks on random configurations: 1 to 8 Ps, 1 to 9 Ms, 1 to 8 goroutines
// running random programs, any features.
//
// Reproduce a failure with the -run and -rapid.failfile (or -rapid.seed)
// that rapid prints; the failure's log has the workload, the gmpcheck
// replay command and the trace.
func TestStateMachine(t *testing.T) {
	st := testStateMachine(t, Small)
	checks(t, st.runs)
	t.Logf("%d runs, %d steps, %d step kinds; ends %v", st.runs, st.steps, len(st.kinds), st.ends)
	// Random programs mostly end: main exits, or checkdead reports.
	assert.Greater(t, st.ends[EndExit], st.runs/4, "runs where main exited")
	assert.Greater(t, st.ends[EndReport], 0, "runs where checkdead reported")
	assert.Greater(t, len(st.kinds), minKinds(st.runs), "step kinds taken")
}

// TestStateMachineLarge is TestStateMachine on configurations far beyond
// the exhaustive checker's reach: 4 to 8 Ps, 8 or 9 Ms, 6 to 8 goroutines,
// local run queues of 4 or 6.
func TestStateMachineLarge(t *testing.T) {
	st := testStateMachine(t, Large)
	checks(t, st.runs)
	t.Logf("%d runs, %d steps, %d step kinds; ends %v", st.runs, st.steps, len(st.kinds), st.ends)
	assert.Greater(t, st.ends[EndExit], st.runs/4, "runs where main exited")
	assert.Greater(t, len(st.kinds), minKinds(st.runs), "step kinds taken")
}

// TestStatusValues ties the G status numbers this package reads to the
// spec's initial state: main running, the other user goroutines dead,
// forcegc's helper waiting.
func TestStatusValues(t *testing.T) {
	c := &spec.Config{GOMAXPROCS: 1, Ms: 1, RunqSize: 2, Forcegc: true,
		Gs: []spec.Program{{Name: "main", Code: []spec.Instr{{Op: spec.OpGo, Arg: 1}}}, {Name: "a"}}}
	w, err := NewWalk(c)
	require.NoError(t, err)
	s := w.Last()
	assert.EqualValues(t, gRunning, s.G[0].Status, "main's status")
	assert.EqualValues(t, gDead, s.G[1].Status, "a's status")
	assert.EqualValues(t, gWaiting, s.G[2].Status, "forcegc's status")
	assert.EqualValues(t, waitForcegc, s.G[2].Wait, "forcegc's wait reason")
	assert.Equal(t, "user", w.StepName(s, 0), "m0's step")
}
