package properties

import (
	"path/filepath"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// runSteps bounds the runs that must end: random programs on a machine with
// a spare M end in a few hundred steps (TestCheckdead logs how many do not).
const runSteps = 3000

// TestCheckdead runs random workloads to their end and compares checkdead's
// verdict with the ground truth computed from the programs alone
// (Analyze; see CheckEnd for what is compared). Configurations have a
// spare M (Bounds.SpareMs), so that runs end.
func TestCheckdead(t *testing.T) {
	st := newStats()
	rapid.Check(t, func(t *rapid.T) {
		w, tr := analyzedWalk(t, Config(Bounds{SpareMs: 1}).Draw(t, "config"))
		w.Run(t, runSteps)
		e := w.CheckEnd(t, tr)
		st.add(w, e)
		st.verdicts[tr.Verdict]++
	})
	checks(t, st.runs)
	t.Logf("%d runs, %d steps; verdicts %v; ends %v", st.runs, st.steps, st.verdicts, st.ends)
	// Not vacuous: both verdicts are compared, and few runs are cut short.
	assert.Greater(t, st.ends[EndReport], 0, "runs where checkdead reported")
	assert.Greater(t, st.ends[EndExit], st.runs/2, "runs where main exited")
	assert.Less(t, st.ends[EndBudget], st.runs/10+1, "runs cut at %d steps", runSteps)
}

// TestGroundTruth pins Analyze's verdict on the shipped workloads.
func TestGroundTruth(t *testing.T) {
	for _, tc := range []struct {
		workload string
		verdict  Verdict
		states   int
	}{
		{"deadlock", MustDeadlock, 4},
		{"pingpong", CannotDeadlock, 7},
		{"netpoll", CannotDeadlock, 9},
		{"spawn-heavy", CannotDeadlock, 3},
		{"syscall-heavy", CannotDeadlock, 3},
		{"default", CannotDeadlock, 0}, // main runs to its exit before any park or ready
		{"allocm", CannotDeadlock, 3},
	} {
		c := loadWorkload(t, tc.workload)
		tr, err := Analyze(c)
		require.NoError(t, err, tc.workload)
		assert.Equal(t, tc.verdict, tr.Verdict, "%s: verdict", tc.workload)
		assert.Equal(t, tc.states, tr.States, "%s: abstract states", tc.workload)
	}
	// May: two wakeups for two parks, but a wakeup that finds nobody
	// waiting is kept only if none is pending: if a and b both run before
	// main parks, one is lost and main's second park blocks for good.
	c := &spec.Config{GOMAXPROCS: 1, Ms: 2, RunqSize: 2, Gs: []spec.Program{
		{Name: "main", Code: []spec.Instr{{Op: spec.OpGo, Arg: 1}, {Op: spec.OpGo, Arg: 2}, {Op: spec.OpPark, Arg: 0}, {Op: spec.OpPark, Arg: 0}}},
		{Name: "a", Code: []spec.Instr{{Op: spec.OpReady, Arg: 0}}},
		{Name: "b", Code: []spec.Instr{{Op: spec.OpReady, Arg: 0}}},
	}}
	tr, err := Analyze(c)
	require.NoError(t, err)
	assert.Equal(t, MayDeadlock, tr.Verdict)
	var keys []string
	for k := range tr.Deadlocks {
		keys = append(keys, k.String(c))
	}
	assert.Equal(t, []string{"main:park 0@4 a:dead b:dead tokens=[0 0 0 0]"}, keys)
}

func loadWorkload(t *testing.T, name string) *spec.Config {
	t.Helper()
	c, err := spec.LoadWorkload(filepath.Join("..", "testdata", "workloads", name+".txt"))
	require.NoError(t, err)
	return c
}

// TestCheckdeadNetpollHang pins a finding of TestCheckdead (see the
// README): with the network poller, a workload that must deadlock can make
// the runtime hang instead of reporting. An M that finds netpollWaiters
// non-zero commits to a blocking netpoll after another M's netpoll took the
// last network waiter but before that M's netpollAdjustWaiters
// (proc.go:3732-3754, 3501): the waiter runs, the program deadlocks on a
// wait object, and checkdead counts the M in netpoll as running, for ever.
// The spec is faithful; checkdead's completeness is not promised there.
func TestCheckdeadNetpollHang(t *testing.T) {
	c := &spec.Config{Name: "netpoll-hang", GOMAXPROCS: 2, Ms: 3, RunqSize: 2, Netpoll: true, Gs: []spec.Program{
		{Name: "main", Code: []spec.Instr{{Op: spec.OpGo, Arg: 1}, {Op: spec.OpPark, Arg: 0}}},
		{Name: "net", Code: []spec.Instr{{Op: spec.OpNetwait}}},
	}}
	tr, err := Analyze(c)
	require.NoError(t, err)
	require.Equal(t, MustDeadlock, tr.Verdict)
	m, err := spec.New(c)
	require.NoError(t, err)
	// The shortest path, found by the exhaustive checker (its "deadlock":
	// nothing enabled in a state that is not terminal).
	const path = "0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/2/0/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"
	p, err := checker.ParsePath(path)
	require.NoError(t, err)
	trace, err := checker.Replay[spec.State, spec.Action](m, p)
	require.NoError(t, err)
	w := &Walk{M: m, C: c, States: trace.States, Acts: trace.Actions, Path: p}
	msg := "replay: go run ./cmd/gmpcheck replay -model FILE.txt -path " + path + "\n" + w.Trace()
	s := w.Last()
	require.Equal(t, EndStuck, w.End(), msg)
	key, ok := Deadlock(c, s)
	require.True(t, ok, msg)
	assert.True(t, tr.Deadlocks[key], "%s is not a deadlock of the programs\n%s", key.String(c), msg)
	assert.True(t, w.blockedInNetpoll(), msg)
	assert.Zero(t, s.Sched.NetpollWaiters, msg)
	assert.Equal(t, 65, w.Len())
}

// analyzedWalk is the start of a run-to-the-end property: c's ground truth
// and a walk from its initial state.
func analyzedWalk(t *rapid.T, c *spec.Config) (*Walk, *Truth) {
	tr, err := Analyze(c)
	if err != nil {
		t.Fatalf("ground truth: %v\n%s", err, FormatWorkload(c))
	}
	w, err := NewWalk(c)
	if err != nil {
		t.Fatal(err)
	}
	return w, tr
}
