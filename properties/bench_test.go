package properties

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// BenchmarkRandomWalk measures the state-machine test's walk: random
// configurations and workloads, a rapid draw per step, every Always
// property of the spec and the goroutine ledger checked after each step.
// It reports steps/s (and steps per rapid check).
func BenchmarkRandomWalk(b *testing.B) {
	var steps, runs int
	prop := func(t *rapid.T) {
		c := Config(Small).Draw(t, "config")
		w, err := NewWalk(c)
		if err != nil {
			t.Fatal(err)
		}
		w.Run(t, walkSteps)
		steps += w.Len()
		runs++
	}
	start := time.Now()
	for b.Loop() {
		f := &tb{name: b.Name()}
		rapid.Check(f, prop)
		if f.failed {
			b.Fatalf("rapid found a violation; run TestStateMachine:\n%v", f.out)
		}
	}
	b.ReportMetric(float64(steps)/time.Since(start).Seconds(), "steps/s")
	b.ReportMetric(float64(steps)/float64(runs), "steps/check")
}
