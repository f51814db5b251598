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
	var states, secs, bytesPer float64
	for b.Loop() {
		res := checker.Check(context.Background(), big, checker.Options{})
		if res.Verdict != checker.VerdictOK || res.DistinctStates != distinct || res.Depth != 4*63 {
			b.Fatalf("verdict %s (%s), %d states, depth %d; want ok, %d, %d",
				res.Verdict, res.Incomplete, res.DistinctStates, res.Depth, distinct, 4*63)
		}
		states += float64(res.DistinctStates)
		secs += res.Seconds
		bytesPer = res.BytesPerState
	}
	b.ReportMetric(states/secs, "states/s")
	b.ReportMetric(bytesPer, "B/state")
	b.ReportMetric(distinct, "distinct")
}
