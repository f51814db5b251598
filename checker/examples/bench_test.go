package examples

import (
	"context"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// BenchmarkCheckCounters checks the big counters model, 4 counters of
// 0..63: 64^4 = 16,777,216 distinct states, 4 transitions each, depth 252,
// with the default number of workers. It runs only with -bench, e.g.
//
//	go test ./checker/examples -run '^$' -bench CheckCounters -benchtime 1x
func BenchmarkCheckCounters(b *testing.B) {
	const distinct = 64 * 64 * 64 * 64
	benchCheck(b, big, checker.Options{}, distinct, 4*63)
}

// BenchmarkCheckWorkers checks a model with larger states and many small
// levels: 8 workers and a counter bound of 255, (255+1)*(8+1)*2^8 - 2*8 - 1
// = 589,807 distinct states of 17 bytes (17-byte encodings), depth
// 4*255 + 8 + 1 = 1029, without symmetry reduction. E.g.
//
//	go test ./checker/examples -run '^$' -bench CheckWorkers
func BenchmarkCheckWorkers(b *testing.B) {
	benchCheck(b, Workers{N: 8, Max: 255}, checker.Options{}, 589807, 1029)
}

// benchCheck checks m with opt in a loop, requires a complete run with the
// given counts, and reports states per second (over all runs) and bytes per
// state (Result.BytesPerState).
func benchCheck[S, A any](b *testing.B, m checker.Model[S, A], opt checker.Options, distinct int64, depth int) {
	var states, secs, bytesPer float64
	for b.Loop() {
		res := checker.Check(context.Background(), m, opt)
		if res.Verdict != checker.VerdictOK || res.DistinctStates != distinct || res.Depth != depth {
			b.Fatalf("verdict %s (%s), %d states, depth %d; want ok, %d, %d",
				res.Verdict, res.Incomplete, res.DistinctStates, res.Depth, distinct, depth)
		}
		states += float64(res.DistinctStates)
		secs += res.Seconds
		bytesPer = res.BytesPerState
	}
	b.ReportMetric(states/secs, "states/s")
	b.ReportMetric(bytesPer, "B/state")
	b.ReportMetric(float64(distinct), "distinct")
}
