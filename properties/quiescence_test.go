package properties

import (
	"testing"

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
