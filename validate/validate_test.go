package validate

import (
	"bytes"
	"context"
	"testing"
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
				t.Logf("%d events, %d transitions, abstracted %v; %s", res.Events, res.Transitions, res.Abstracted, sortedCounts(res.ByKind))
			})
		}
	}
}
