package validate

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestPrograms validates the trace of every program at GOMAXPROCS 1, 2 and
// 4: the model must explain every transition.
func TestPrograms(t *testing.T) {
	for _, p := range programs {
		for _, procs := range procsList() {
			t.Run(programName(p.name, procs), func(t *testing.T) {
				data := traceOf(t, procs, p.run)
				res, err := Run(context.Background(), bytes.NewReader(data), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Rejection != nil {
					var b bytes.Buffer
					WriteText(&b, p.name, res)
					t.Fatalf("rejected:\n%s", b.String())
				}
				long := time.Duration(0)
				if len(res.Windows.Longest) > 0 {
					long = res.Windows.Longest[0].Length
				}
				t.Logf("%d events, %d transitions, abstracted %v; %s; windows %d (>=100µs %d), longest %v",
					res.Events, res.Transitions, res.Abstracted, sortedCounts(res.ByKind),
					res.Windows.Count, res.Windows.Histogram[2]+res.Windows.Histogram[3]+res.Windows.Histogram[4], long)
			})
		}
	}
}
