package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

// The model's own counterexamples, seen as traces. A pinned trace
// (testdata/traces) is replayed in the model, each step is projected onto
// the events a tracer would write (spec.ObserveStep), and the events go
// through the validator as a real trace's would, one microsecond apart.

var replayLine = regexp.MustCompile(`-model '([^'\[]+)\[bug=([^\]]+)\]' -path ([0-9/]+)`)

// modelTrace replays the pinned counterexample of a bug switch and returns
// the validator that took its events.
func modelTrace(t *testing.T, bug string) *Validator {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "testdata", "traces", bug+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	sm := replayLine.FindSubmatch(text)
	if sm == nil {
		t.Fatalf("%s: no replay line", bug)
	}
	c, err := spec.LoadWorkload(filepath.Join("..", string(sm[1])))
	if err != nil {
		t.Fatal(err)
	}
	c.Bugs = []string{string(sm[2])}
	m, err := spec.New(c)
	if err != nil {
		t.Fatal(err)
	}
	path, err := checker.ParsePath(string(sm[3]))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := checker.Replay(checker.Model[spec.State, spec.Action](m), path)
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(Options{})
	o := m.Observe(&tr.States[0])
	v.obs.Grow(len(o.G), len(o.P), len(o.M))
	var now xtrace.Time
	feed := func(e spec.ObsEvent, what string) {
		now += xtrace.Time(time.Microsecond)
		closed, r := v.step(&e, now)
		if r != nil {
			t.Fatalf("%s: %s: rejected: %v", bug, what, r)
		}
		if closed {
			v.win.setEnded(func(*spec.ObsEvent) string { return what }, e)
		}
	}
	for p, ps := range o.P {
		feed(spec.ObsEvent{Kind: spec.EvProcStatus, P: int32(p), G: -1, M: ps.M, On: ps.M, ProcState: ps.State, CtxP: spec.NoCtx, CtxG: spec.NoCtx}, "init")
	}
	for g, gs := range o.G {
		feed(spec.ObsEvent{Kind: spec.EvGoStatus, G: int32(g), P: -1, M: gs.M, On: gs.M, GoState: gs.State, CtxP: spec.NoCtx, CtxG: spec.NoCtx}, "init")
	}
	for i, a := range tr.Actions {
		evs, err := m.ObserveStep(&tr.States[i], a, &tr.States[i+1])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			feed(e, fmt.Sprintf("step %d: %s", i+1, m.FormatAction(a)))
		}
	}
	return v
}

// TestModelWindows: the counterexamples of the switches that strand a
// runnable goroutine behind an idle P end in an open work-conservation
// window, as the validator measures it on real traces; the counterexample
// of a switch that strands nothing observable does not.
func TestModelWindows(t *testing.T) {
	for _, c := range []struct {
		bug  string
		open bool
	}{
		{spec.BugGo117Recheck, true},
		{spec.BugNoRunqRecheck, true},
		// The stranded work is an expired timer: its goroutine is
		// still waiting, which no trace event shows (the lateness of
		// an announced sleep does).
		{spec.BugNoTimerRecheck, false},
	} {
		t.Run(c.bug, func(t *testing.T) {
			v := modelTrace(t, c.bug)
			w := &v.win
			if w.active != c.open {
				t.Fatalf("window open at the end: %v, want %v (idle Ps %d, runnable %d, Ps looking %d)", w.active, c.open, w.idleP, w.runnable, w.schedPs)
			}
			if c.open {
				t.Logf("open since %v: %d idle P, %d runnable", time.Duration(w.start-w.origin), w.startIdle, w.startRun)
			}
		})
	}
}
