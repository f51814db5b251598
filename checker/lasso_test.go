package checker

import (
	"context"
	"strings"
	"testing"
)

// leadsCounter is the counter model with a LeadsTo property: once a is 1,
// b eventually reaches its maximum.
type leadsCounter struct{ counter }

func (c leadsCounter) Properties() []Property[cst] {
	return []Property[cst]{LeadsTo("a1-leads-to-b-max",
		func(s *cst) bool { return s.a == 1 },
		func(s *cst) bool { return s.b == c.n-1 })}
}

// oddCounter is livenessCounter where inc-a is disabled while b is odd;
// in waitCounter process 0 also always waits (a Waiter). A cycle through an
// odd b that never increments a is fair in oddCounter and unfair in
// waitCounter.
type oddCounter struct{ livenessCounter }

func (c oddCounter) Actions(s *cst, dst []int) []int {
	n := len(dst)
	dst = c.livenessCounter.Actions(s, dst)
	if s.b%2 == 1 {
		dst = append(dst[:n], dst[n+1:]...) // drop inc-a
	}
	return dst
}

type waitCounter struct{ oddCounter }

func (waitCounter) Waiting(*cst) uint64 { return 1 }

// countdown counts down from 3 and stops at 0, a dead end; "five" (n is
// 5) never holds.
type countdown struct{}

func (countdown) Init() []uint8 { return []uint8{3} }
func (countdown) Actions(s *uint8, dst []int) []int {
	if *s > 0 {
		dst = append(dst, 0)
	}
	return dst
}
func (countdown) Next(s *uint8, _ int) uint8         { return *s - 1 }
func (countdown) Encode(s *uint8, dst []byte) []byte { return append(dst, *s) }
func (countdown) ActionKinds() []string              { return []string{"dec"} }
func (countdown) Kind(int) int                       { return 0 }
func (countdown) Process(int) int                    { return 0 }
func (countdown) FormatAction(int) string            { return "dec" }
func (countdown) Properties() []Property[uint8] {
	return []Property[uint8]{Eventually("five", func(s *uint8) bool { return *s == 5 })}
}

func replayed[S, A any](t *testing.T, m Model[S, A], path string) *Trace[S, A] {
	t.Helper()
	p, err := ParsePath(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Replay(m, p)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestCheckLassoFound: the lassos Check reports pass CheckLasso.
func TestCheckLassoFound(t *testing.T) {
	for _, m := range []Model[cst, int]{livenessCounter{counter{n: 4}}, leadsCounter{counter{n: 4}}} {
		for _, w := range []int{1, 3} {
			r := Check(context.Background(), m, Options{Workers: w})
			v := r.Violation
			if v == nil || v.Kind != "eventually" {
				t.Fatalf("%T: got %+v, want a liveness violation", m, r)
			}
			if err := replayed(t, m, v.Path).CheckLasso(m, v.Property, v.Loop); err != nil {
				t.Errorf("%T, workers %d: CheckLasso(%s, loop %d): %v", m, w, v.Path, v.Loop, err)
			}
		}
	}
	// With a Waiter, the lasso Check finds still passes, and a cycle that
	// leaves process 0 waiting does not.
	odd := Model[cst, int](oddCounter{livenessCounter{counter{n: 4}}})
	wait := Model[cst, int](waitCounter{oddCounter{livenessCounter{counter{n: 4}}}})
	for _, m := range []Model[cst, int]{odd, wait} {
		if v := Check(context.Background(), m, Options{}).Violation; v == nil {
			t.Errorf("%T: no violation", m)
		} else if err := replayed(t, m, v.Path).CheckLasso(m, v.Property, v.Loop); err != nil {
			t.Errorf("%T: CheckLasso(%s, loop %d): %v", m, v.Path, v.Loop, err)
		}
	}
	// 0/1/1: inc-b, then reset-b (index 1 once inc-a is disabled).
	if err := replayed(t, odd, "0/1/1").CheckLasso(odd, "b-reaches-max", 0); err != nil {
		t.Errorf("oddCounter: %v, want a fair cycle", err)
	}
	if err := replayed(t, wait, "0/1/1").CheckLasso(wait, "b-reaches-max", 0); err == nil || !strings.Contains(err.Error(), "process 0") {
		t.Errorf("waitCounter: %v, want process 0 starved", err)
	}
	m := countdown{}
	r := Check(context.Background(), Model[uint8, int](m), Options{AllowDeadlock: true})
	v := r.Violation
	if v == nil || v.Kind != "eventually" || v.Loop != -1 {
		t.Fatalf("countdown: got %+v, want a liveness violation ending in a dead end", r)
	}
	if err := replayed(t, Model[uint8, int](m), v.Path).CheckLasso(m, "five", -1); err != nil {
		t.Errorf("countdown: %v", err)
	}
}

// TestCheckLassoRejects: each way a path can fail to be a lasso.
func TestCheckLassoRejects(t *testing.T) {
	live := Model[cst, int](livenessCounter{counter{n: 4}})
	leads := Model[cst, int](leadsCounter{counter{n: 4}})
	safety := Model[cst, int](counter{n: 4})
	down := Model[uint8, int](countdown{})
	// Actions: 0 inc-a (process 0), 1 inc-b and 2 reset-b (process 1).
	// a goes 0..3 and wraps; so does b. "b-reaches-max" is b == 3.
	for _, tc := range []struct {
		name  string
		m     Model[cst, int]
		prop  string
		path  string
		loop  int
		error string // "" for a valid lasso
	}{
		{"fair cycle", live, "b-reaches-max", "0/0/0/0/0/1/2", 0, ""},
		{"fair cycle, later loop", live, "b-reaches-max", "0/1/0/0/0/0/2/1", 1, ""},
		{"leads-to", leads, "a1-leads-to-b-max", "0/0/1/2/0/0/0", 0, ""},
		{"unknown property", live, "nope", "0/0/0/0/0/1/2", 0, "no property"},
		{"safety property", safety, "a-small", "0/0/0/0/0/1/2", 0, "not a liveness property"},
		{"loop too large", live, "b-reaches-max", "0/0/0/0/0/1/2", 6, "out of range"},
		{"loop too small", live, "b-reaches-max", "0/0/0/0/0/1/2", -2, "out of range"},
		{"open cycle", live, "b-reaches-max", "0/0/0/0/0/1/2", 1, "does not close"},
		{"no dead end", live, "b-reaches-max", "0/0/0/0/0/1/2", -1, "not end in a dead end"},
		{"unfair cycle", live, "b-reaches-max", "0/1/2", 0, "process 0"},
		{"starves process 1", live, "b-reaches-max", "0/0/0/0/0", 0, "process 1"},
		{"cond on the cycle", live, "b-reaches-max", "0/0/0/0/0/1/1/1/2", 0, "holds in state 7"},
		{"cond in the last state", live, "b-reaches-max", "0/1/1/1/0/0/0/0", 3, "holds in the last state"},
		{"cond on the stem", live, "b-reaches-max", "0/1/1/1/2/0/0/0/0/1/2", 4, "holds in state 3"},
		{"no trigger", leads, "a1-leads-to-b-max", "0/1/2", 0, "no state on the path satisfies the trigger"},
		{"trigger only before cond", leads, "a1-leads-to-b-max", "0/0/0/1/1/1/2/1/2", 6, "no state after state 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := replayed(t, tc.m, tc.path).CheckLasso(tc.m, tc.prop, tc.loop)
			switch {
			case tc.error == "" && err != nil:
				t.Errorf("CheckLasso: %v, want nil", err)
			case tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)):
				t.Errorf("CheckLasso: %v, want an error with %q", err, tc.error)
			}
		})
	}
	if err := replayed(t, down, "0/0/0/0").CheckLasso(down, "five", -1); err != nil {
		t.Errorf("countdown to 0: %v", err)
	}
	if err := replayed(t, down, "0/0").CheckLasso(down, "five", -1); err == nil || !strings.Contains(err.Error(), "dead end") {
		t.Errorf("countdown to 1: %v, want a dead-end error", err)
	}
	bad := &Trace[cst, int]{Path: []int{0}, States: []cst{{}}, Actions: []int{0}}
	if err := bad.CheckLasso(live, "b-reaches-max", -1); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("malformed trace: %v", err)
	}
}
