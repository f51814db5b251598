package main

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(writerEnv) != "" {
		// The test binary is also timer-poller's writer process.
		writer()
		return
	}
	os.Exit(m.Run())
}

// TestExperiments runs each program twice, variant and control: every
// trace must be explained by the model, and each measures what it should.
// (The figures of docs/bugs.md come from go run ./validate/findings.)
func TestExperiments(t *testing.T) {
	for _, e := range experiments {
		for _, variant := range []bool{true, false} {
			r, err := run(e, variant, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Accepted != 2 {
				t.Fatalf("%s %s: %d traces accepted, want 2", e.name, r.Variant, r.Accepted)
			}
			if e.measure == "lateness" && r.Sleeps == 0 {
				t.Fatalf("%s %s: no announced sleep measured", e.name, r.Variant)
			}
			if e.name == "handoffp" && !variant && r.Steals != 0 {
				t.Fatalf("handoffp control: %d P steals; the control makes no system call", r.Steals)
			}
			t.Logf("%s %s: %d events, %d sleeps, %d windows, %d steals", e.name, r.Variant, r.Events, r.Sleeps, r.Windows, r.Steals)
		}
	}
}
