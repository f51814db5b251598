package spec

import (
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// BenchmarkCheckSpawnHeavy checks testdata/workloads/spawn-heavy.txt
// (1,437,559 states with symmetry) per iteration.
//
//	go test ./spec -run '^$' -bench CheckSpawnHeavy -count 5
func BenchmarkCheckSpawnHeavy(b *testing.B) {
	c := load(b, "spawn-heavy")
	for b.Loop() {
		_, r := check(b, c, checker.Options{Symmetry: true})
		if r.Verdict != checker.VerdictOK {
			b.Fatalf("verdict %s", r.Verdict)
		}
		b.ReportMetric(r.StatesPerSecond, "states/s")
		b.ReportMetric(r.BytesPerState, "B/state")
	}
}

// defaultWalk returns the default model and the states of a walk through
// it: the i-th action of the i-th state, modulo the number enabled.
func defaultWalk(b *testing.B) (*Model, []State) {
	m, err := New(Default())
	if err != nil {
		b.Fatal(err)
	}
	s := m.Init()[0]
	var states []State
	var acts []Action
	for i := 0; i < 200; i++ {
		acts = m.Actions(&s, acts[:0])
		if len(acts) == 0 {
			break
		}
		s = m.Next(&s, acts[i%len(acts)])
		states = append(states, s)
	}
	return m, states
}

// BenchmarkRepresentative measures symmetry reduction alone, on the states
// of defaultWalk.
func BenchmarkRepresentative(b *testing.B) {
	m, states := defaultWalk(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = m.Representative(&states[i%len(states)])
	}
}

// BenchmarkEncodeRepresentative measures what the checker does with
// symmetry for every successor: encode its representative
// (checker.SymmetricEncoder), on the states of BenchmarkRepresentative's
// walk.
func BenchmarkEncodeRepresentative(b *testing.B) {
	m, states := defaultWalk(b)
	var enc []byte
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		enc = m.EncodeRepresentative(&states[i%len(states)], enc[:0])
	}
}

// BenchmarkLivenessSpawnHeavy checks spawn-heavy with its liveness
// properties (the safety search, then the liveness graph on the quotient),
// and reports the liveness phase's share.
//
//	go test ./spec -run '^$' -bench LivenessSpawnHeavy -count 5
func BenchmarkLivenessSpawnHeavy(b *testing.B) {
	c := load(b, "spawn-heavy")
	c.Liveness = true
	for b.Loop() {
		_, r := check(b, c, checker.Options{Symmetry: true})
		if r.Verdict != checker.VerdictOK {
			b.Fatalf("verdict %s", r.Verdict)
		}
		b.ReportMetric(float64(r.LivenessStates), "graph-states")
	}
}
