package runq

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// snapshot reads pp's queue and the global queue of s. Nothing else may
// use them meanwhile.
func snapshot(pp *P, s *Sched) qstate {
	runnext, ring := pp.Snapshot()
	return qstate{runnext: runnext, ring: ring, global: s.Global()}
}

func sameState(a, b qstate) bool {
	return a.runnext == b.runnext && slices.Equal(a.ring, b.ring) && slices.Equal(a.global, b.global)
}

// setIndex starts pp's ring at index i, as if i Gs had gone through it.
func setIndex(pp *P, i uint32) {
	pp.runqhead.Store(i)
	pp.runqtail.Store(i)
}

// TestRunqputslowPinned puts six Gs without next into a ring of four. The
// fifth finds the ring full, and runqputslow moves the older half (g1, g2)
// and g5 to the global queue.
//
// Reference: proc.go:7506-7519 (runqput), 7524-7559 (runqputslow).
func TestRunqputslowPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	pp := s.NewP()
	for g := G(1); g <= 6; g++ {
		pp.Put(g, false)
	}
	want := qstate{ring: []G{3, 4, 6}, global: []G{1, 2, 5}}
	if got := snapshot(pp, s); !sameState(got, want) {
		t.Errorf("after putting g1..g6: %v, want %v", got, want)
	}
	if h, tl := pp.runqhead.Load(), pp.runqtail.Load(); h != 2 || tl != 5 {
		t.Errorf("runqhead, runqtail = %d, %d; want 2, 5", h, tl)
	}
}

// TestRunqgrabTakesHalfRoundedUp steals from rings of 0 to 8 Gs: the thief
// takes n-n/2 of n, returns the last it took and keeps the others in its
// ring.
//
// Reference: proc.go:7666-7667 (n = n - n/2), 7730-7747 (runqsteal).
func TestRunqgrabTakesHalfRoundedUp(t *testing.T) {
	want := []int{0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4}
	for n, k := range want {
		s := NewSched(Config{Cap: 8})
		v, th := s.NewP(), s.NewP()
		for g := G(1); g <= G(n); g++ {
			v.Put(g, false)
		}
		got := th.Steal(v, false)
		if got != G(k) {
			t.Errorf("n=%d: Steal returned %s, want %s", n, fmtG(got), fmtG(G(k)))
		}
		wantThief := qstate{ring: []G{}}
		for g := G(1); g < G(k); g++ {
			wantThief.ring = append(wantThief.ring, g)
		}
		wantVictim := qstate{}
		for g := G(k) + 1; g <= G(n); g++ {
			wantVictim.ring = append(wantVictim.ring, g)
		}
		if st := snapshot(th, s); !sameState(st, wantThief) {
			t.Errorf("n=%d: thief %v, want %v", n, st, wantThief)
		}
		if st := snapshot(v, s); !sameState(st, wantVictim) {
			t.Errorf("n=%d: victim %v, want %v", n, st, wantVictim)
		}
	}
}

// TestRunnextPinned: runqput(g, true) puts g in runnext and kicks the old
// runnext to the ring; runqget takes runnext first, with inheritTime.
//
// Reference: proc.go:7494-7505, 7598-7619; runtime2.go p.runnext.
func TestRunnextPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	pp := s.NewP()
	if k := pp.runqput(1, true); k != 0 {
		t.Errorf("first runqput(g1, true) kicked %s", fmtG(k))
	}
	if k := pp.runqput(2, true); k != 1 {
		t.Errorf("runqput(g2, true) kicked %s, want g1", fmtG(k))
	}
	if st, want := snapshot(pp, s), (qstate{runnext: 2, ring: []G{1}}); !sameState(st, want) {
		t.Errorf("state %v, want %v", st, want)
	}
	for i, want := range []struct {
		g       G
		inherit bool
	}{{2, true}, {1, false}, {0, false}} {
		if g, inherit := pp.Get(); g != want.g || inherit != want.inherit {
			t.Errorf("Get #%d = %s, %t; want %s, %t", i+1, fmtG(g), inherit, fmtG(want.g), want.inherit)
		}
	}
}

// TestStealRunnextPinned: a thief takes runnext only if stealRunNextG is set
// and the ring is empty.
//
// Reference: proc.go:7668-7712.
func TestStealRunnextPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	v, th := s.NewP(), s.NewP()
	v.Put(1, true)
	if g := th.Steal(v, false); g != 0 {
		t.Errorf("Steal(stealRunNextG=false) took %s", fmtG(g))
	}
	if g := th.Steal(v, true); g != 1 {
		t.Errorf("Steal(stealRunNextG=true) took %s, want g1", fmtG(g))
	}
	if !v.Empty() || !th.Empty() {
		t.Errorf("Empty: victim %t, thief %t; want both true", v.Empty(), th.Empty())
	}
	v.Put(2, true)
	v.Put(3, false)
	if g := th.Steal(v, true); g != 3 {
		t.Errorf("Steal with ring [g3] and runnext g2 took %s, want g3", fmtG(g))
	}
	if st, want := snapshot(v, s), (qstate{runnext: 2}); !sameState(st, want) {
		t.Errorf("victim %v, want %v", st, want)
	}
}

// TestPutBatchPinned: runqputbatch places what fits and leaves the rest.
//
// Reference: proc.go:7562-7592.
func TestPutBatchPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	pp := s.NewP()
	if rest := pp.PutBatch(nil); len(rest) != 0 {
		t.Errorf("PutBatch(nil) = %v", rest)
	}
	pp.Put(1, false)
	if rest := pp.PutBatch([]G{2, 3, 4, 5, 6}); !slices.Equal(rest, []G{5, 6}) {
		t.Errorf("PutBatch(g2..g6) left %s, want [g5 g6]", fmtGs(rest))
	}
	if st, want := snapshot(pp, s), (qstate{ring: []G{1, 2, 3, 4}}); !sameState(st, want) {
		t.Errorf("state %v, want %v", st, want)
	}
}

// TestEmptyPinned: runqempty looks at the ring and runnext.
func TestEmptyPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	pp := s.NewP()
	steps := []struct {
		do   func()
		want bool
	}{
		{func() {}, true},
		{func() { pp.Put(1, true) }, false},
		{func() { pp.Get() }, true},
		{func() { pp.Put(2, false) }, false},
		{func() { pp.Put(3, true) }, false},
		{func() { pp.Get() }, false},
		{func() { pp.Get() }, true},
	}
	for i, st := range steps {
		st.do()
		if got := pp.Empty(); got != st.want {
			t.Errorf("step %d: Empty() = %t, want %t", i, got, st.want)
		}
	}
}

// TestWraparoundPinned runs a ring of four across the wrap of the uint32
// indices. See Config.Cap for why the capacity must be a power of two.
func TestWraparoundPinned(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	v, th := s.NewP(), s.NewP()
	setIndex(v, math.MaxUint32-1)
	setIndex(th, math.MaxUint32)
	for g := G(1); g <= 4; g++ {
		v.Put(g, false)
	}
	if g := th.Steal(v, false); g != 2 {
		t.Errorf("Steal took %s, want g2", fmtG(g))
	}
	if st, want := snapshot(th, s), (qstate{ring: []G{1}}); !sameState(st, want) {
		t.Errorf("thief %v, want %v", st, want)
	}
	for g := G(5); g <= 7; g++ {
		v.Put(g, false)
	}
	if st, want := snapshot(v, s), (qstate{ring: []G{5, 6}, global: []G{3, 4, 7}}); !sameState(st, want) {
		t.Errorf("victim %v, want %v", st, want)
	}
	if h, tl := v.runqhead.Load(), v.runqtail.Load(); h != 2 || tl != 4 {
		t.Errorf("victim runqhead, runqtail = %d, %d; want 2, 4 (wrapped)", h, tl)
	}
}

func panics(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// TestNewSchedRejectsCapacities: the capacity must be a power of two.
func TestNewSchedRejectsCapacities(t *testing.T) {
	for _, c := range []int{-4, 0, 1, 3, 6, 12} {
		if panics(func() { NewSched(Config{Cap: c}) }) == "" {
			t.Errorf("NewSched accepted capacity %d", c)
		}
	}
	if msg := panics(func() { NewSched(Config{Cap: 2}) }); msg != "" {
		t.Errorf("NewSched rejected capacity 2: %s", msg)
	}
}

// TestRunqstealOverflow: stealing into a ring with too little room throws,
// as the runtime's runqsteal does. The check comes after runqgrab has
// written the batch into the thief's ring, so here it has already
// overwritten the thief's oldest G: the throw reports corruption, it does
// not prevent it.
//
// Reference: proc.go:7741-7744.
func TestRunqstealOverflow(t *testing.T) {
	s := NewSched(Config{Cap: 4})
	v, th := s.NewP(), s.NewP()
	for g := G(1); g <= 3; g++ {
		th.Put(g, false)
	}
	for g := G(11); g <= 14; g++ {
		v.Put(g, false)
	}
	if msg, want := panics(func() { th.Steal(v, false) }), "runqsteal: runq overflow"; msg != want {
		t.Errorf("Steal into a ring of 3 panicked with %q, want %q", msg, want)
	}
	if g := th.runq[0].ptr(); g != 12 {
		t.Errorf("thief's slot 0 holds %s, want g12 (overwritten g1)", fmtG(g))
	}
}

// TestSequentialAgreesWithModel runs random sequences of calls on one
// goroutine and, after each call, steps the model with the call's
// operations (split and naive) and compares the model's state with the
// twin's. This is the "dumb oracle" check of the model itself: with one
// goroutine every call is atomic, so both recordings must agree with the
// twin exactly.
func TestSequentialAgreesWithModel(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		cap := 4 << (seed % 2)
		s := NewSched(Config{Cap: cap})
		v, th := s.NewP(), s.NewP()
		rng := rand.New(rand.NewPCG(seed, 0))
		if seed%4 >= 2 {
			setIndex(v, math.MaxUint32-uint32(rng.IntN(2*cap)))
			setIndex(th, math.MaxUint32-uint32(rng.IntN(2*cap)))
		}
		r := &recorder{}
		m := runqModel{cap}
		split, naive := qstate{}, qstate{}
		nextG := G(1)
		for i := range 80 {
			switch x := rng.IntN(100); {
			case x < 30:
				r.put(0, v, nextG, false)
				nextG++
			case x < 45:
				r.put(0, v, nextG, true)
				nextG++
			case x < 55:
				gs := make([]G, 1+rng.IntN(cap))
				for j := range gs {
					gs[j] = nextG
					nextG++
				}
				r.putBatch(0, v, gs)
			case x < 75:
				r.get(0, v)
			case x < 88:
				r.steal(1, th, v, rng.IntN(2) == 0)
			case x < 94:
				r.isEmpty(1, v)
			default:
				r.globrunqget(1, s)
			}
			c := r.calls[len(r.calls)-1]
			want := snapshot(v, s)
			for _, rec := range []struct {
				name  string
				state *qstate
				naive bool
			}{{"split", &split, false}, {"naive", &naive, true}} {
				for _, op := range c.ops(rec.naive) {
					ok, next := m.step(*rec.state, op.Input.(input), op.Output.(output))
					if !ok {
						t.Fatalf("seed %d, call %d: %s model rejects %s in state %v",
							seed, i, rec.name, describeOp(op.Input.(input), op.Output.(output)), *rec.state)
					}
					*rec.state = next
				}
				if !sameState(*rec.state, want) {
					t.Fatalf("seed %d, call %d: %s model state %v, twin %v", seed, i, rec.name, *rec.state, want)
				}
			}
		}
	}
}
