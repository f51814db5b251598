package examples

import (
	"fmt"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// TestCountersCounts pins small instances of the benchmark model against
// the closed forms in counters.go: (Max+1)^N states, depth N*Max,
// 1 + N*(Max+1)^N generated (the initial state and N successors each), of
// which N*(Max+1)^(N-1) resets.
func TestCountersCounts(t *testing.T) {
	for _, tc := range []struct {
		n, max   int
		distinct int64
		depth    int
	}{
		{1, 5, 6, 5},
		{3, 4, 125, 12},
		{4, 7, 4096, 28},
	} {
		t.Run(fmt.Sprintf("N%d/Max%d", tc.n, tc.max), func(t *testing.T) {
			pow := func(e int) int64 {
				r := int64(1)
				for range e {
					r *= int64(tc.max + 1)
				}
				return r
			}
			if pow(tc.n) != tc.distinct || tc.n*tc.max != tc.depth {
				t.Fatalf("pinned %d states, depth %d; closed forms %d, %d", tc.distinct, tc.depth, pow(tc.n), tc.n*tc.max)
			}
			m := Counters{N: tc.n, Max: tc.max}
			g := explore(checker.Model[CountersState, CountersAction](m), false)
			res := check(t, m, checker.Options{})
			wantComplete(t, res, g, tc.distinct, tc.depth)
			wantExamples(t, res, g, m)
			if want := 1 + int64(tc.n)*tc.distinct; res.GeneratedStates != want {
				t.Errorf("%d generated, want %d", res.GeneratedStates, want)
			}
			if want := int64(tc.n) * pow(tc.n-1); res.Coverage["reset"] != want {
				t.Errorf("%d resets, want %d", res.Coverage["reset"], want)
			}
		})
	}
}
