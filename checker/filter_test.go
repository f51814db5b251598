package checker

import (
	"context"
	"sync/atomic"
	"testing"
)

// filtered is counter with an invariant b < limit and an InvariantFilter
// that says the same in one test, counting how often each is asked.
type filtered struct {
	counter
	limit         uint8
	conds, checks *atomic.Int64
}

func (f filtered) Properties() []Property[cst] {
	return []Property[cst]{
		Always("b-below-limit", func(s *cst) bool { f.conds.Add(1); return s.b < f.limit }),
		Sometimes("b-max", func(s *cst) bool { return s.b == f.n-1 }),
	}
}

func (f filtered) AlwaysHold(s *cst) bool { f.checks.Add(1); return s.b < f.limit }

// TestInvariantFilter: with a model's filter, the checker evaluates its
// Always properties only in the states the filter rejects, and finds the
// same verdict, counts and counterexample as without it.
func TestInvariantFilter(t *testing.T) {
	for _, limit := range []uint8{50, 7} {
		var conds, checks atomic.Int64
		m := filtered{counter: counter{n: 50}, limit: limit, conds: &conds, checks: &checks}
		with := Check(context.Background(), m, Options{Workers: 2})
		var conds2, checks2 atomic.Int64
		without := Check(context.Background(), struct{ counterAlways }{counterAlways{filtered{counter: counter{n: 50}, limit: limit, conds: &conds2, checks: &checks2}}}, Options{Workers: 2})
		if with.Verdict != without.Verdict || with.DistinctStates != without.DistinctStates || with.Depth != without.Depth {
			t.Fatalf("limit %d: with the filter %v %d states depth %d, without %v %d depth %d", limit,
				with.Verdict, with.DistinctStates, with.Depth, without.Verdict, without.DistinctStates, without.Depth)
		}
		if checks.Load() == 0 || checks2.Load() != 0 {
			t.Fatalf("limit %d: the filter was asked %d times with it, %d without", limit, checks.Load(), checks2.Load())
		}
		if limit == 50 && conds.Load() != 0 {
			t.Errorf("every state passes the filter, yet the invariant was evaluated %d times", conds.Load())
		}
		if limit == 7 {
			if with.Violation == nil || with.Violation.Property != "b-below-limit" || with.Violation.Path != without.Violation.Path {
				t.Errorf("violations differ: %+v / %+v", with.Violation, without.Violation)
			}
			if conds.Load() == 0 || conds.Load() >= conds2.Load() {
				t.Errorf("the invariant was evaluated %d times with the filter, %d without", conds.Load(), conds2.Load())
			}
		}
	}
}

// counterAlways hides filtered's AlwaysHold.
type counterAlways struct{ f filtered }

func (c counterAlways) Init() []cst                      { return c.f.Init() }
func (c counterAlways) Actions(s *cst, dst []int) []int  { return c.f.Actions(s, dst) }
func (c counterAlways) Next(s *cst, a int) cst           { return c.f.Next(s, a) }
func (c counterAlways) Encode(s *cst, dst []byte) []byte { return c.f.Encode(s, dst) }
func (c counterAlways) Properties() []Property[cst]      { return c.f.Properties() }
func (c counterAlways) ActionKinds() []string            { return c.f.ActionKinds() }
func (c counterAlways) Kind(a int) int                   { return c.f.Kind(a) }
func (c counterAlways) Process(a int) int                { return c.f.Process(a) }
func (c counterAlways) FormatAction(a int) string        { return c.f.FormatAction(a) }
