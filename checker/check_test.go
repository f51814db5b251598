package checker

import (
	"context"
	"testing"
)

// counter is a test model: a pair of counters mod n that two processes
// increment; process 1 can also reset.
type counter struct{ n uint8 }

type cst struct{ a, b uint8 }

func (c counter) Init() []cst { return []cst{{}} }
func (c counter) Actions(s *cst, dst []int) []int {
	dst = append(dst, 0, 1)
	if s.b > 0 {
		dst = append(dst, 2)
	}
	return dst
}
func (c counter) Next(s *cst, a int) cst {
	t := *s
	switch a {
	case 0:
		t.a = (t.a + 1) % c.n
	case 1:
		t.b = (t.b + 1) % c.n
	case 2:
		t.b = 0
	}
	return t
}
func (c counter) Encode(s *cst, dst []byte) []byte { return append(dst, s.a, s.b) }
func (c counter) Properties() []Property[cst] {
	return []Property[cst]{
		Always("a-small", func(s *cst) bool { return s.a < c.n }),
		Sometimes("b-max", func(s *cst) bool { return s.b == c.n-1 }),
	}
}
func (c counter) ActionKinds() []string     { return []string{"inc-a", "inc-b", "reset-b"} }
func (c counter) Kind(a int) int            { return a }
func (c counter) Process(a int) int         { return min(a, 1) }
func (c counter) FormatAction(a int) string { return c.ActionKinds()[a] }

func TestCounterQuick(t *testing.T) {
	for _, w := range []int{1, 2, 4, 8} {
		r := Check(context.Background(), counter{n: 50}, Options{Workers: w})
		if r.Verdict != VerdictOK || r.DistinctStates != 2500 || r.Depth != 98 {
			t.Fatalf("workers %d: %+v", w, r)
		}
	}
}

// inc-b and reset-b (process 1) can cycle below b = n-1 forever while
// process 0 keeps incrementing a: a fair lasso.
func TestCounterLivenessLasso(t *testing.T) {
	m := counter{n: 4}
	r := Check(context.Background(), livenessCounter{m}, Options{Workers: 2})
	if r.Verdict != VerdictViolation || r.Violation.Kind != "eventually" {
		t.Fatalf("got %+v", r)
	}
	v := r.Violation
	if v.Loop < 0 || v.Loop >= len(v.Trace)-1 {
		t.Fatalf("loop %d in a trace of %d", v.Loop, len(v.Trace))
	}
	path, err := ParsePath(v.Path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Replay[cst, int](livenessCounter{m}, path)
	if err != nil {
		t.Fatal(err)
	}
	if tr.States[v.Loop] != tr.States[len(tr.States)-1] {
		t.Fatalf("cycle does not return: %v vs %v", tr.States[v.Loop], tr.States[len(tr.States)-1])
	}
	// Process 0 (inc-a) is always enabled, so a fair cycle must use it.
	used := false
	for _, a := range tr.Actions[v.Loop:] {
		if a == 0 {
			used = true
		}
	}
	if !used {
		t.Fatalf("cycle %v starves process 0", tr.Actions[v.Loop:])
	}
}

type livenessCounter struct{ counter }

func (c livenessCounter) Properties() []Property[cst] {
	return []Property[cst]{Eventually("b-reaches-max", func(s *cst) bool { return s.b == c.n-1 })}
}

type unreachedCounter struct{ counter }

func (c unreachedCounter) Properties() []Property[cst] {
	return []Property[cst]{Sometimes("a-overflows", func(s *cst) bool { return s.a >= c.n })}
}

// TestSometimesUnreachedHasNoPath: an unreached Sometimes goal is reported
// with no path and no trace (see Violation).
func TestSometimesUnreachedHasNoPath(t *testing.T) {
	r := Check(context.Background(), unreachedCounter{counter{n: 5}}, Options{})
	v := r.Violation
	if r.Verdict != VerdictViolation || v == nil || v.Kind != "sometimes" || v.Property != "a-overflows" {
		t.Fatalf("got %+v, want a sometimes violation", r)
	}
	if v.Path != "" || v.Trace != nil || v.Loop != -1 {
		t.Errorf("path %q, trace %v, loop %d; want none, none, -1", v.Path, v.Trace, v.Loop)
	}
}

// decodingCounter keeps its frontier encoded (Decoder). a-small fails at
// n = 50 only if a can reach 40: a violation found with a shortest path.
type decodingCounter struct{ counter }

func (c decodingCounter) Decode(b []byte, s *cst) { *s = cst{b[0], b[1]} }
func (c decodingCounter) Properties() []Property[cst] {
	return []Property[cst]{Always("a-below-40", func(s *cst) bool { return s.a < 40 })}
}

// TestDecoderSameResult: keeping the frontier encoded changes nothing a
// run reports, with one worker or several.
func TestDecoderSameResult(t *testing.T) {
	for _, w := range []int{1, 3} {
		for _, m := range []Model[cst, int]{counter{n: 50}, decodingCounter{counter{n: 50}}} {
			enc := Check(context.Background(), m, Options{Workers: w})
			val := Check(context.Background(), m, Options{Workers: w, noDecoder: true})
			if enc.Verdict != val.Verdict || enc.DistinctStates != val.DistinctStates || enc.Depth != val.Depth ||
				enc.GeneratedStates != val.GeneratedStates || enc.MaxQueue != val.MaxQueue {
				t.Fatalf("workers %d, %T: encoded %+v, values %+v", w, m, enc, val)
			}
			if (enc.Violation == nil) != (val.Violation == nil) || enc.Violation != nil && enc.Violation.Path != val.Violation.Path {
				t.Fatalf("workers %d, %T: violations differ: %+v vs %+v", w, m, enc.Violation, val.Violation)
			}
		}
	}
	r := Check(context.Background(), decodingCounter{counter{n: 50}}, Options{})
	if r.Verdict != VerdictViolation || r.Depth != 40 || len(r.Violation.Trace) != 41 {
		t.Fatalf("got %+v, want a-below-40 violated at depth 40", r)
	}
}

// panicky panics when it steps from a = 3: a model bug.
type panicky struct{ counter }

func (p panicky) Next(s *cst, a int) cst {
	if s.a == 3 {
		panic("model bug at a=3")
	}
	return p.counter.Next(s, a)
}

// A panic in the model, in a worker goroutine, is raised again in the
// caller's goroutine as a *WorkerPanic (it killed the process before).
func TestWorkerPanicReachesCaller(t *testing.T) {
	for _, w := range []int{1, 2} {
		func() {
			defer func() {
				p := recover()
				if p == nil {
					t.Fatalf("workers %d: no panic", w)
				}
				if w > 1 {
					wp, ok := p.(*WorkerPanic)
					if !ok || wp.Value != "model bug at a=3" || len(wp.Stack) == 0 {
						t.Fatalf("workers %d: recovered %#v", w, p)
					}
				}
			}()
			Check(context.Background(), panicky{counter{n: 50}}, Options{Workers: w})
		}()
	}
}
