package properties

import (
	"testing"

	"github.com/gmpspec/gmpspec/spec"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

// TestGoroutineConservation: over a whole run on a large configuration
// (every walk checks the Ledger step by step; see conservation.go), the
// goroutines created are exactly main, forcegc's helper and those whose go
// statement ran, each once; the ones destroyed are among them, and when
// checkdead reports or main exits every created goroutine is dead, blocked
// or still in a place the ledger accepts.
func TestGoroutineConservation(t *testing.T) {
	var runs, created int
	rapid.Check(t, func(t *rapid.T) {
		c := Config(Large).Draw(t, "config")
		w, err := NewWalk(c)
		if err != nil {
			t.Fatal(err)
		}
		w.Run(t, runSteps)
		s := w.Last()
		// The go statements that ran: those before each G's program
		// counter. A G's PC moves past "go" in the step that creates
		// the child (stepUser).
		want := uint16(1)
		if c.Forcegc {
			want |= 1 << len(c.Gs)
		}
		for g, p := range c.Gs {
			if s.G[g].Status == gDead && w.ledger.Started()&(1<<g) == 0 {
				continue // never started: its go statements never ran
			}
			for _, in := range p.Code[:min(int(s.G[g].PC), len(p.Code))] {
				if in.Op == spec.OpGo {
					want |= 1 << in.Arg
				}
			}
		}
		if got := w.ledger.Started(); got != want {
			w.Fatalf(t, "created goroutines %b, but the go statements that ran create %b", got, want)
		}
		if ex := w.ledger.Exited(); ex&^want != 0 {
			w.Fatalf(t, "destroyed goroutines %b that were never created (created %b)", ex, want)
		}
		for g := range c.Gs {
			if w.ledger.Exited()&(1<<g) != 0 && s.G[g].Status != gDead {
				w.Fatalf(t, "goroutine %s came back after its exit", gLabel(c, g))
			}
		}
		runs++
		created += countBits(want)
	})
	checks(t, runs)
	t.Logf("%d runs, %d goroutines created", runs, created)
	assert.Greater(t, created, 2*runs, "goroutines created per run")
}

func countBits(x uint16) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
