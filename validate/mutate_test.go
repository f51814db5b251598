package validate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xtrace "golang.org/x/exp/trace"

	"github.com/gmpspec/gmpspec/spec"
)

// The check bites: traces made wrong on purpose are rejected. A real trace
// is read into the validator's events; a mutation changes the list; the
// mutated list, replayed through a fresh machine, must be rejected, and
// the rejection must name the property that the mutation breaks.

type rec struct {
	e spec.ObsEvent
	t xtrace.Time
}

// decode reads a trace into its events, with the validator whose ids they
// use.
func decode(t *testing.T, data []byte) (*Validator, []rec) {
	t.Helper()
	v := NewValidator(Options{})
	r, err := newReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var recs []rec
	for {
		ev, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind() != xtrace.EventStateTransition {
			continue
		}
		e, _, reason := v.translate(&ev)
		if e.Kind == spec.EvNone {
			if reason != "" {
				t.Fatalf("untranslatable event: %s", reason)
			}
			continue
		}
		recs = append(recs, rec{e, ev.Time()})
	}
	return v, recs
}

// replay runs recs through a fresh machine sized for v's ids and returns
// the first rejection and its index (-1 if none).
func replay(v *Validator, recs []rec) (*spec.Rejection, int) {
	var o spec.Obs
	o.Abstractions = true
	o.Grow(len(v.gids), len(v.pids), len(v.mids))
	for i := range recs {
		if r := o.Step(&recs[i].e); r != nil {
			return r, i
		}
	}
	return nil, -1
}

// stateAt returns the machine after the first n events.
func stateAt(v *Validator, recs []rec, n int) *spec.Obs {
	var o spec.Obs
	o.Abstractions = true
	o.Grow(len(v.gids), len(v.pids), len(v.mids))
	for i := 0; i < n; i++ {
		o.Step(&recs[i].e)
	}
	return &o
}

func insert(recs []rec, i int, e spec.ObsEvent) []rec {
	out := append([]rec(nil), recs[:i]...)
	out = append(out, rec{e: e, t: recs[i-1].t})
	return append(out, recs[i:]...)
}

// mutationTraces are the programs whose traces are mutated.
var mutationTraces = []struct {
	name  string
	procs int
}{{"pingpong", 2}, {"fanout", 4}, {"syscall-long", 2}, {"locked-thread", 2}, {"tcp-loopback", 4}}

func programRun(name string) func() {
	for _, p := range programs {
		if p.name == name {
			return p.run
		}
	}
	panic("no program " + name)
}

func TestMutationsRejected(t *testing.T) {
	for _, mt := range mutationTraces {
		t.Run(programName(mt.name, mt.procs), func(t *testing.T) {
			v, recs := decode(t, traceOf(t, mt.procs, programRun(mt.name)))
			if r, i := replay(v, recs); r != nil {
				t.Fatalf("the unmutated trace is rejected at event %d: %v", i, r)
			}
			t.Run("g-on-two-ps", func(t *testing.T) { mutateGoStartTwice(t, v, recs) })
			t.Run("p-started-while-owned", func(t *testing.T) { mutateProcStartTwice(t, v, recs) })
			t.Run("g-unblocked-while-running", func(t *testing.T) { mutateUnblockRunning(t, v, recs) })
			t.Run("event-dropped", func(t *testing.T) { mutateDrop(t, v, recs) })
		})
	}
}

// wantRejected checks that the mutated list is rejected at index at with
// the rule.
func wantRejected(t *testing.T, v *Validator, recs []rec, at int, rule string) {
	t.Helper()
	r, i := replay(v, recs)
	switch {
	case r == nil:
		t.Fatalf("mutation at %d accepted", at)
	case i != at || r.Rule != rule:
		t.Fatalf("mutation at %d rejected at %d by %s (%s); want %s at %d", at, i, r.Rule, r.Why, rule, at)
	}
	t.Logf("rejected at %d: %s: %s", i, r.Rule, v.renameIDs(r.Why))
}

// A goroutine started on a second thread and P while it runs on the first.
func mutateGoStartTwice(t *testing.T, v *Validator, recs []rec) {
	for i, r := range recs {
		if r.e.Kind != spec.EvGoStart {
			continue
		}
		o := stateAt(v, recs, i+1)
		for m := range o.M {
			if int32(m) != r.e.M && o.M[m].P >= 0 && o.M[m].G < 0 {
				e := spec.ObsEvent{Kind: spec.EvGoStart, G: r.e.G, M: int32(m), P: -1, On: -1, CtxP: o.M[m].P, CtxG: -1}
				wantRejected(t, v, insert(recs, i+1, e), i+1, "g-status")
				return
			}
		}
	}
	t.Skip("no GoStart with a second thread holding an idle P")
}

// A P started by a second thread while the first holds it.
func mutateProcStartTwice(t *testing.T, v *Validator, recs []rec) {
	for i, r := range recs {
		if r.e.Kind != spec.EvProcStart {
			continue
		}
		o := stateAt(v, recs, i+1)
		for m := range o.M {
			if int32(m) != r.e.M && o.M[m].P < 0 && o.M[m].G < 0 {
				e := spec.ObsEvent{Kind: spec.EvProcStart, P: r.e.P, M: int32(m), G: -1, On: -1, CtxP: -1, CtxG: -1}
				wantRejected(t, v, insert(recs, i+1, e), i+1, "p-owned-once")
				return
			}
		}
	}
	t.Skip("no ProcStart with a second thread holding no P")
}

// A running goroutine unblocked, by the thread that runs the next event.
func mutateUnblockRunning(t *testing.T, v *Validator, recs []rec) {
	for i, r := range recs {
		if r.e.Kind != spec.EvGoStart || i+1 >= len(recs) {
			continue
		}
		o := stateAt(v, recs, i+1)
		e := spec.ObsEvent{Kind: spec.EvGoUnblock, G: r.e.G, M: r.e.M, P: -1, On: -1, CtxP: o.M[r.e.M].P, CtxG: o.M[r.e.M].G}
		wantRejected(t, v, insert(recs, i+1, e), i+1, "g-status")
		return
	}
	t.Skip("no GoStart")
}

// One event dropped: the next event about the same goroutine or P finds it
// in the wrong state. Every droppable transition of the trace (one with a
// later event about the same object) is dropped in turn, up to 300 chosen
// at random.
func mutateDrop(t *testing.T, v *Validator, recs []rec) {
	next := func(i int) int {
		e := &recs[i].e
		for j := i + 1; j < len(recs); j++ {
			f := &recs[j].e
			switch {
			case e.G >= 0 && f.G == e.G, e.P >= 0 && f.P == e.P:
				return j
			}
		}
		return -1
	}
	var cands []int
	for i := range recs {
		if k := recs[i].e.Kind; k != spec.EvGoStatus && k != spec.EvProcStatus && next(i) >= 0 {
			cands = append(cands, i)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	if len(cands) > 300 {
		cands = cands[:300]
	}
	rules := map[string]int{}
	for _, i := range cands {
		mut := append(append([]rec(nil), recs[:i]...), recs[i+1:]...)
		r, at := replay(v, mut)
		if r == nil {
			t.Fatalf("dropping event %d (%v) accepted", i, recs[i].e.Kind)
		}
		if at > next(i)-1 {
			t.Fatalf("dropping event %d (%v) rejected only at %d, after the next event about its object (%d)", i, recs[i].e.Kind, at, next(i)-1)
		}
		rules[r.Rule]++
	}
	t.Logf("%d drops rejected: %v", len(cands), rules)
}

// TestCorruptTraces: truncated and damaged traces give a FormatError (or,
// for damage the reader cannot see, a rejection), never a panic.
func TestCorruptTraces(t *testing.T) {
	data := traceOf(t, 2, pingpong)
	check := func(what string, b []byte) {
		res, err := Run(context.Background(), bytes.NewReader(b), Options{})
		var fe *FormatError
		switch {
		case err != nil && !errors.As(err, &fe):
			t.Fatalf("%s: error %v is not a FormatError", what, err)
		case err == nil && res == nil:
			t.Fatalf("%s: no result and no error", what)
		}
	}
	for n := 0; n < len(data); n += 1 + len(data)/200 {
		check("truncated", data[:n])
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		b := bytes.Clone(data)
		for k := 0; k < 1+rng.IntN(4); k++ {
			b[16+rng.IntN(len(b)-16)] = byte(rng.IntN(256))
		}
		check("damaged", b)
	}
	if _, err := Run(context.Background(), bytes.NewReader(data[:10]), Options{}); err == nil {
		t.Fatal("a 10-byte trace was read")
	}
	if _, err := Run(context.Background(), bytes.NewReader([]byte("go 1.21 trace\x00\x00\x00")), Options{}); err == nil {
		t.Fatal("a go1.21 trace was accepted")
	}
}

// FuzzRun: no input makes Run panic.
func FuzzRun(f *testing.F) {
	f.Add(traceOf(f, 1, pingpong))
	f.Add([]byte("go 1.26 trace\x00\x00\x00"))
	for _, name := range []string{"pingpong.trace", "coroutine.trace"} {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", "validate", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Run(context.Background(), bytes.NewReader(b), Options{})
		var fe *FormatError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("error %v is not a FormatError", err)
		}
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
	})
}

// TestModelRulesBite: mutations that keep every object's own state right
// but break a relation the model's steps guarantee, each rejected by the
// rule that states it. Contexts are left out (NoCtx), so that the model's
// rule, not the context check, must catch them.
func TestModelRulesBite(t *testing.T) {
	v, recs := decode(t, traceOf(t, 2, programRun("syscall-long")))
	noCtx := func(e spec.ObsEvent) spec.ObsEvent {
		e.CtxP, e.CtxG = spec.NoCtx, spec.NoCtx
		return e
	}
	find := func(want func(i int, o *spec.Obs) (spec.ObsEvent, bool)) (int, spec.ObsEvent) {
		for i := 1; i < len(recs); i++ {
			o := stateAt(v, recs, i)
			if e, ok := want(i, o); ok {
				return i, noCtx(e)
			}
		}
		t.Fatal("no place for the mutation")
		return 0, spec.ObsEvent{}
	}
	cases := []struct {
		name, rule string
		want       func(i int, o *spec.Obs) (spec.ObsEvent, bool)
	}{
		{"GoStart on a thread without a P", "running-g-has-p", func(i int, o *spec.Obs) (spec.ObsEvent, bool) {
			// A GoStart whose thread is replaced by one with no P.
			e := recs[i].e
			if e.Kind != spec.EvGoStart {
				return e, false
			}
			for m := range o.M {
				if o.M[m].P < 0 && o.M[m].G < 0 {
					e.M = int32(m)
					return e, true
				}
			}
			return e, false
		}},
		{"ProcStop by a thread running a goroutine", "releasep-without-g", func(i int, o *spec.Obs) (spec.ObsEvent, bool) {
			// Its own P released by a thread whose goroutine runs.
			for m := range o.M {
				if g := o.M[m].G; g >= 0 && o.G[g].State == spec.GoRunning {
					return spec.ObsEvent{Kind: spec.EvProcStop, M: int32(m), P: o.M[m].P, G: -1, On: -1}, true
				}
			}
			return spec.ObsEvent{}, false
		}},
		{"ProcSteal from a running goroutine", "steal-only-in-syscall", func(i int, o *spec.Obs) (spec.ObsEvent, bool) {
			// A thread without a P takes the P of one whose
			// goroutine runs user code.
			for m := range o.M {
				if g := o.M[m].G; g >= 0 && o.G[g].State == spec.GoRunning {
					for s := range o.M {
						if o.M[s].P < 0 && o.M[s].G < 0 {
							return spec.ObsEvent{Kind: spec.EvProcSteal, M: int32(s), P: o.M[m].P, G: -1, On: -1}, true
						}
					}
				}
			}
			return spec.ObsEvent{}, false
		}},
		{"GoSyscallEnd after the P was taken", "syscall-exit-path", func(i int, o *spec.Obs) (spec.ObsEvent, bool) {
			// The end of a syscall whose P was stolen, reported as
			// the fast path.
			e := recs[i].e
			if e.Kind != spec.EvGoSyscallEndBlocked {
				return e, false
			}
			e.Kind = spec.EvGoSyscallEnd
			return e, true
		}},
		{"GoSyscallEndBlocked with the P kept", "syscall-exit-path", func(i int, o *spec.Obs) (spec.ObsEvent, bool) {
			e := recs[i].e
			if e.Kind != spec.EvGoSyscallEnd {
				return e, false
			}
			e.Kind = spec.EvGoSyscallEndBlocked
			return e, true
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i, e := find(c.want)
			mut := append([]rec(nil), recs...)
			if c.name == "GoStart on a thread without a P" || strings.HasPrefix(c.name, "GoSyscallEnd") {
				mut[i].e = e // replaced
			} else {
				mut = insert(mut, i, e)
			}
			wantRejected(t, v, mut, i, c.rule)
		})
	}
}
