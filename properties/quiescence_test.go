package properties

import (
	"testing"

	"github.com/gmpspec/gmpspec/spec"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

// checkQuiescence walks, settles and checks work conservation, three times
// per run: a drawn number of steps of any kind, then scheduler steps only
// until quiescence. It counts the quiescent states checked and those with
// an idle P.
func checkQuiescence(t *rapid.T, w *Walk, st *stats) {
	t.Helper()
	for round := 0; round < 3 && !w.Terminal(); round++ {
		k := rapid.IntRange(0, 200).Draw(t, "steps before settling")
		w.Run(t, w.Len()+k)
		if w.Terminal() {
			return
		}
		if !w.Settle(t, w.Len()+settleSteps) {
			if !w.Terminal() {
				st.unsettled++
			}
			return
		}
		st.quiescent++
		if w.Last().Sched.NPidle > 0 {
			st.idle++
		}
		if what := w.StrandedWork(); what != "" {
			w.Fatalf(t, "work conservation: at quiescence a P is idle and %s", what)
		}
	}
}

// TestWorkConservation: at quiescence (see "Work conservation at
// quiescence" in quiescence.go), no P is idle while there is work for it.
func TestWorkConservation(t *testing.T) {
	st := newStats()
	rapid.Check(t, func(t *rapid.T) {
		c := Config(Bounds{SpareMs: 1}).Draw(t, "config")
		w, err := NewWalk(c)
		if err != nil {
			t.Fatal(err)
		}
		checkQuiescence(t, w, st)
		st.add(w, w.End())
	})
	checks(t, st.runs)
	t.Logf("%d runs, %d steps; %d quiescent states checked, %d with an idle P; %d settles cut at %d steps",
		st.runs, st.steps, st.quiescent, st.idle, st.unsettled, settleSteps)
	assert.Greater(t, st.idle, st.runs/4, "quiescent states with an idle P")
	assert.Zero(t, st.unsettled, "settles that did not reach quiescence")
}

// TestForcegcHelperIsScheduled: the forcegc helper's step is runtime code
// (forcegchelper parks the helper), so it is a scheduler step and Settle
// runs it; only a user goroutine's step is left to the program. Counting
// the helper's step as user code made Settle stop while the helper ran,
// and CheckEnd then blamed checkdead for a deadlock it reports as soon as
// the helper parks.
func TestForcegcHelperIsScheduled(t *testing.T) {
	c := loadWorkload(t, "forcegc")
	w, err := NewWalk(c)
	if err != nil {
		t.Fatal(err)
	}
	user := uint8(0)
	for i, n := range stepNames {
		if n == "user" {
			user = uint8(i + 1)
		}
	}
	s := *w.Last()
	s.M[0].PC = user
	for g, want := range map[int]bool{0: false, ng(c) - 1: true} {
		s.M[0].CurG = uint8(g + 1)
		w.States = append(w.States, s)
		assert.Equal(t, want, w.SchedulerStep(spec.Action{Actor: 0}), "m0 running %s", gLabel(c, g))
	}
}
