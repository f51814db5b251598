package examples

// Tests of the checker's run-level behaviour on the example models:
// bounds, cancellation, independence from the number of workers, and
// simulation.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

type petersonModel = checker.Model[PetersonState, PetersonAction]

// big is the benchmark model: 64^4 = 16,777,216 states, far more than a
// bounded run gets through.
var big = Counters{N: 4, Max: 63}

func wantIncomplete(t *testing.T, res *checker.Result, why string) {
	t.Helper()
	if res.Verdict != checker.VerdictIncomplete || res.Violation != nil {
		t.Fatalf("verdict %q, violation %+v; want incomplete", res.Verdict, res.Violation)
	}
	if res.Incomplete != why {
		t.Errorf("incomplete because %q, want %q", res.Incomplete, why)
	}
}

// TestMaxStates: Peterson N=3 has 417 states. A limit of 417 lets the run
// finish; 416 stops it, with at most 416 states.
func TestMaxStates(t *testing.T) {
	m := Peterson{N: 3}
	if res := check(t, m, checker.Options{MaxStates: 417}); res.Verdict != checker.VerdictOK || res.DistinctStates != 417 {
		t.Errorf("MaxStates 417: verdict %s, %d states; want ok, 417", res.Verdict, res.DistinctStates)
	}
	for _, limit := range []int64{1, 100, 416} {
		res := check(t, m, checker.Options{MaxStates: limit})
		wantIncomplete(t, res, "state limit")
		if res.DistinctStates > limit {
			t.Errorf("MaxStates %d: %d states", limit, res.DistinctStates)
		}
	}
	// A liveness model: the graph is incomplete, so no verdict either way.
	res := check(t, Buffer{K: 3, Bug: true}, checker.Options{MaxStates: 5})
	wantIncomplete(t, res, "state limit")
	res = check(t, Buffer{K: 3}, checker.Options{MaxStates: 5})
	wantIncomplete(t, res, "state limit")
}

// TestMaxDepth: Peterson N=3 has depth 17, and its nowait bug shows at
// depth 12.
func TestMaxDepth(t *testing.T) {
	m := Peterson{N: 3}
	if res := check(t, m, checker.Options{MaxDepth: 17}); res.Verdict != checker.VerdictOK || res.DistinctStates != 417 {
		t.Errorf("MaxDepth 17: verdict %s, %d states; want ok, 417", res.Verdict, res.DistinctStates)
	}
	g := explore(petersonModel(m), false)
	for _, d := range []int{1, 5, 16} {
		res := check(t, m, checker.Options{MaxDepth: d})
		wantIncomplete(t, res, "depth limit")
		if res.Depth != d {
			t.Errorf("MaxDepth %d: depth %d", d, res.Depth)
		}
		// Every state up to depth d, and none deeper.
		want := int64(0)
		for _, x := range g.dist {
			if x <= d {
				want++
			}
		}
		if res.DistinctStates != want {
			t.Errorf("MaxDepth %d: %d states, the reference has %d within that depth", d, res.DistinctStates, want)
		}
	}
	bug := Peterson{N: 3, Bug: PetersonNoWait}
	wantIncomplete(t, check(t, bug, checker.Options{MaxDepth: 11}), "depth limit")
	if res := check(t, bug, checker.Options{MaxDepth: 12}); res.Violation == nil || len(res.Violation.Trace) != 13 {
		t.Errorf("MaxDepth 12: verdict %s, want the 13-step violation", res.Verdict)
	}
	wantIncomplete(t, check(t, Buffer{K: 3, Bug: true}, checker.Options{MaxDepth: 3}), "depth limit")
}

// TestSometimesUnreached: a Sometimes goal that no state meets is a
// violation of kind "sometimes" once the run is complete, and nothing but
// incomplete before.
func TestSometimesUnreached(t *testing.T) {
	m := Peterson{N: 2}
	both := checker.Sometimes("both critical", func(s *PetersonState) bool { return m.InCritical(s) == 2 })
	mm := withProps[PetersonState, PetersonAction]{m, append(m.Properties(), both)}
	res := check(t, mm, checker.Options{})
	if res.Verdict != checker.VerdictViolation || res.Violation == nil ||
		res.Violation.Kind != "sometimes" || res.Violation.Property != "both critical" {
		t.Fatalf("verdict %s, violation %+v; want sometimes \"both critical\"", res.Verdict, res.Violation)
	}
	if res.DistinctStates != 20 {
		t.Errorf("%d states, want 20", res.DistinctStates)
	}
	wantIncomplete(t, check(t, mm, checker.Options{MaxStates: 10}), "state limit")
	wantIncomplete(t, check(t, mm, checker.Options{MaxDepth: 3}), "depth limit")
}

// TestTimeAndMemoryLimits stops runs of the big model early.
func TestTimeAndMemoryLimits(t *testing.T) {
	for _, tc := range []struct {
		opt checker.Options
		why string
	}{
		{checker.Options{TimeLimit: 50 * time.Millisecond}, "time limit"},
		{checker.Options{MemoryLimit: 1}, "memory limit"},
	} {
		start := time.Now()
		res := check(t, big, tc.opt)
		wantIncomplete(t, res, tc.why)
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("%s: the run took %v", tc.why, el)
		}
		if res.DistinctStates >= 1<<24 {
			t.Errorf("%s: %d states, the whole space", tc.why, res.DistinctStates)
		}
	}
}

// TestCancel: a cancelled context, before or during the run, gives an
// incomplete run.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantIncomplete(t, checker.Check(ctx, big, checker.Options{}), "cancelled")

	// Even a model small enough to finish before anything notices the
	// context: a run under a context cancelled beforehand must not claim
	// to be complete.
	oks := 0
	for range 1000 {
		if res := checker.Check(ctx, Peterson{N: 2}, checker.Options{}); res.Verdict != checker.VerdictIncomplete {
			oks++
		}
	}
	if oks > 0 {
		t.Errorf("%d of 1000 runs of Peterson N=2 under a cancelled context were not incomplete", oks)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	res := checker.Check(ctx, big, checker.Options{})
	wantIncomplete(t, res, "cancelled")
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("the cancelled run took %v", el)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	res = checker.Simulate(ctx, petersonModel(Peterson{N: 3}), checker.SimOptions{Seed: 1})
	wantIncomplete(t, res, "cancelled")
}

// TestWorkersAgree runs each check with 1, 2, 4 and 8 workers: the verdict,
// counts, depth, coverage, examples and counterexample must not change.
// The larger models have levels of thousands of states, spread over many
// blocks.
func TestWorkersAgree(t *testing.T) {
	runs := []struct {
		name string
		run  func(opt checker.Options) *checker.Result
	}{
		{"peterson3-progress", func(o checker.Options) *checker.Result {
			return check(t, Peterson{N: 3, Progress: true}, o)
		}},
		{"peterson4", func(o checker.Options) *checker.Result { return check(t, Peterson{N: 4}, o) }},
		{"peterson3-victimfirst", func(o checker.Options) *checker.Result {
			return check(t, Peterson{N: 3, Bug: PetersonVictimFirst}, o)
		}},
		{"peterson4-nowait", func(o checker.Options) *checker.Result {
			return check(t, Peterson{N: 4, Bug: PetersonNoWait}, o)
		}},
		{"philosophers6", func(o checker.Options) *checker.Result { return check(t, Philosophers{N: 6}, o) }},
		{"philosophers6-fixed", func(o checker.Options) *checker.Result {
			return check(t, Philosophers{N: 6, Fixed: true}, o)
		}},
		{"buffer3-bug", func(o checker.Options) *checker.Result { return check(t, Buffer{K: 3, Bug: true}, o) }},
		{"workers5-symmetry", func(o checker.Options) *checker.Result {
			o.Symmetry = true
			return check(t, Workers{N: 5, Max: 2}, o)
		}},
		{"counters4x16", func(o checker.Options) *checker.Result { return check(t, Counters{N: 4, Max: 15}, o) }},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			base := r.run(checker.Options{Workers: 1})
			if base.Workers != 1 {
				t.Errorf("Result.Workers = %d, want 1", base.Workers)
			}
			for _, w := range []int{2, 4, 8} {
				res := r.run(checker.Options{Workers: w})
				if res.Workers != w {
					t.Errorf("Result.Workers = %d, want %d", res.Workers, w)
				}
				if err := sameOutcome(base, res); err != nil {
					t.Errorf("workers 1 vs %d: %v", w, err)
				}
			}
		})
	}
}

// TestPeterson4NoWait pins the big-frontier counterexample checked by
// TestWorkersAgree: 18 actions (3 levels of level, victim and the await,
// with 2 passes, per process; 9 per process) for two processes.
func TestPeterson4NoWait(t *testing.T) {
	m := Peterson{N: 4, Bug: PetersonNoWait}
	res := check(t, m, checker.Options{})
	if res.Violation == nil || res.Violation.Property != "mutex" || len(res.Violation.Trace) != 19 {
		t.Fatalf("verdict %s, violation %+v; want mutex in 19 steps", res.Verdict, res.Violation)
	}
	if again := replayViolation(t, petersonModel(m), res.Violation).FirstViolation(m, false); again == nil || again.Path != res.Violation.Path {
		t.Errorf("FirstViolation on the replay = %+v", again)
	}
}

// TestSimulate: random walks with a fixed seed find the mutual-exclusion
// bugs and the naive philosophers' deadlock; the same seed gives the same
// counterexample, which replays to the same violation; on the correct
// models they find nothing, and the verdict is never "ok".
func TestSimulate(t *testing.T) {
	ctx := context.Background()
	opt := checker.SimOptions{Seed: 1, Walks: 200, MaxSteps: 200}
	for _, m := range []Peterson{{N: 2, Bug: PetersonVictimFirst}, {N: 3, Bug: PetersonNoWait}, {N: 3, Bug: PetersonVictimFirst}} {
		t.Run(fmt.Sprintf("N%d/%s", m.N, m.Bug), func(t *testing.T) {
			res := checker.Simulate(ctx, petersonModel(m), opt)
			v := res.Violation
			if res.Verdict != checker.VerdictViolation || v == nil || v.Property != "mutex" || v.Kind != "always" {
				t.Fatalf("verdict %s, violation %+v; want mutex", res.Verdict, v)
			}
			g := explore(petersonModel(m), false)
			if len(v.Trace) < g.minAlways["mutex"]+1 {
				t.Errorf("the walk's trace has %d steps, shorter than the shortest counterexample", len(v.Trace))
			}
			tr := replayViolation(t, petersonModel(m), v)
			again := tr.FirstViolation(m, false)
			if again == nil || again.Path != v.Path || again.Property != "mutex" {
				t.Errorf("FirstViolation on the replay = %+v, want %s", again, v.Path)
			}
			if r2 := checker.Simulate(ctx, petersonModel(m), opt); r2.Violation == nil || r2.Violation.Path != v.Path {
				t.Errorf("the same seed gave %+v, then %+v", v, r2.Violation)
			}
		})
	}
	t.Run("correct", func(t *testing.T) {
		res := checker.Simulate(ctx, petersonModel(Peterson{N: 3}), opt)
		if res.Verdict != checker.VerdictIncomplete || res.Violation != nil {
			t.Errorf("verdict %s, violation %+v; want incomplete", res.Verdict, res.Violation)
		}
		if res.DistinctStates < 1 || res.DistinctStates > 417 {
			t.Errorf("the walks visited %d distinct states of 417", res.DistinctStates)
		}
	})
	t.Run("philosophers", func(t *testing.T) {
		pm := checker.Model[PhilState, PhilAction](Philosophers{N: 4})
		res := checker.Simulate(ctx, pm, opt)
		if res.Violation == nil || res.Violation.Kind != "deadlock" {
			t.Fatalf("verdict %s, violation %+v; want deadlock", res.Verdict, res.Violation)
		}
		tr := replayViolation(t, pm, res.Violation)
		if again := tr.FirstViolation(pm, false); again == nil || again.Kind != "deadlock" || again.Path != res.Violation.Path {
			t.Errorf("FirstViolation on the replay = %+v", again)
		}
		allow := opt
		allow.AllowDeadlock = true
		if res := checker.Simulate(ctx, pm, allow); res.Violation != nil || res.Verdict != checker.VerdictIncomplete {
			t.Errorf("with deadlocks allowed: verdict %s, violation %+v", res.Verdict, res.Violation)
		}
		fixed := checker.Simulate(ctx, checker.Model[PhilState, PhilAction](Philosophers{N: 4, Fixed: true}), opt)
		if fixed.Violation != nil {
			t.Errorf("fixed philosophers: violation %+v", fixed.Violation)
		}
	})
}
