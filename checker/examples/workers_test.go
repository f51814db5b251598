package examples

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

type workersModel = checker.Model[WorkersState, WorkersAction]

// TestWorkersSymmetry pins the state counts with and without symmetry
// reduction against the closed forms derived in workers.go:
// (M+1)(N+1)2^N - 2N - 1 concrete states, M(3N+1) + 3N - 2 classes, and
// depth 4M + N + 1 either way.
func TestWorkersSymmetry(t *testing.T) {
	for _, tc := range []struct {
		n, max          int
		concrete, class int64
		depth           int
	}{
		{2, 1, 19, 11, 7},
		{2, 3, 43, 25, 15},
		{3, 3, 121, 37, 16},
		{4, 3, 311, 49, 17},
		{5, 2, 565, 45, 14},
	} {
		t.Run(fmt.Sprintf("N%d/Max%d", tc.n, tc.max), func(t *testing.T) {
			n, mx := tc.n, tc.max
			if c := int64((mx+1)*(n+1)<<n - 2*n - 1); c != tc.concrete {
				t.Fatalf("closed form gives %d concrete states, pinned %d", c, tc.concrete)
			}
			if c := int64(mx*(3*n+1) + 3*n - 2); c != tc.class {
				t.Fatalf("closed form gives %d classes, pinned %d", c, tc.class)
			}
			if d := 4*mx + n + 1; d != tc.depth {
				t.Fatalf("closed form gives depth %d, pinned %d", d, tc.depth)
			}
			m := Workers{N: n, Max: mx}
			g := explore(workersModel(m), false)
			res := check(t, m, checker.Options{})
			wantComplete(t, res, g, tc.concrete, tc.depth)
			wantExamples(t, res, g, m)
			if res.Symmetry {
				t.Error("Result.Symmetry set without Options.Symmetry")
			}

			gs := explore(workersModel(m), true)
			rs := check(t, m, checker.Options{Symmetry: true})
			wantComplete(t, rs, gs, tc.class, tc.depth)
			wantExamples(t, rs, gs, m)
			if !rs.Symmetry {
				t.Error("Result.Symmetry not set with Options.Symmetry")
			}
		})
	}
}

// TestWorkersRepresentative checks that Representative is a valid
// symmetry reduction of the model: it is idempotent, it maps a state to a
// permutation of its workers that keeps the properties, and a state and its
// representative have the same successors up to symmetry.
func TestWorkersRepresentative(t *testing.T) {
	m := Workers{N: 4, Max: 2}
	g := explore(workersModel(m), false)
	repKey := func(s *WorkersState) string {
		r := m.Representative(s)
		return string(m.Encode(&r, nil))
	}
	succ := func(s *WorkersState) []string {
		var keys []string
		for _, a := range m.Actions(s, nil) {
			t := m.Next(s, a)
			keys = append(keys, repKey(&t))
		}
		slices.Sort(keys)
		return keys
	}
	props := m.Properties()
	classes := map[string]bool{}
	for i := range g.states {
		s := &g.states[i]
		r := m.Representative(s)
		rr := m.Representative(&r)
		if !bytes.Equal(m.Encode(&r, nil), m.Encode(&rr, nil)) {
			t.Fatalf("%s: Representative is not idempotent", m.FormatState(s))
		}
		if r.Count != s.Count {
			t.Fatalf("%s: representative %s changes the count", m.FormatState(s), m.FormatState(&r))
		}
		for _, p := range props {
			if p.Cond(s) != p.Cond(&r) {
				t.Fatalf("%s: property %q differs on representative %s", m.FormatState(s), p.Name, m.FormatState(&r))
			}
		}
		if m.Terminal(s) != m.Terminal(&r) {
			t.Fatalf("%s: Terminal differs on the representative", m.FormatState(s))
		}
		if a, b := succ(s), succ(&r); !slices.Equal(a, b) {
			t.Fatalf("%s: successors differ from the representative's", m.FormatState(s))
		}
		classes[repKey(s)] = true
	}
	if len(classes) != len(explore(workersModel(m), true).states) {
		t.Errorf("%d classes among the concrete states, the symmetric search finds %d", len(classes), len(explore(workersModel(m), true).states))
	}
}

// TestWorkersTerminal: every worker idle at count Max is an intended end,
// so the checker reports no deadlock; a model without the Terminator
// deadlocks there, after the shortest path to count Max: 4 steps per
// increment.
func TestWorkersTerminal(t *testing.T) {
	m := Workers{N: 2, Max: 2}
	if res := check(t, m, checker.Options{}); res.Verdict != checker.VerdictOK {
		t.Fatalf("verdict %s, violation %+v", res.Verdict, res.Violation)
	}
	bare := struct{ workersModel }{m} // hides Terminal
	res := check(t, bare, checker.Options{})
	if res.Violation == nil || res.Violation.Kind != "deadlock" {
		t.Fatalf("without Terminal: verdict %s, violation %+v; want deadlock", res.Verdict, res.Violation)
	}
	if len(res.Violation.Trace) != 4*2+1 {
		t.Errorf("deadlock trace has %d entries, want %d", len(res.Violation.Trace), 4*2+1)
	}
	g := explore(workersModel(bare), false)
	if want := g.path(firstSafety(g, workersModel(bare), false)); res.Violation.Path != want {
		t.Errorf("path %s, want the canonical %s", res.Violation.Path, want)
	}
}
