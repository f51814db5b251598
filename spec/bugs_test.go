package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// Each bug switch that the model finds today, in the smallest shipped
// workload that shows it, with the shortest trace's length. The switches
// not listed here (no-needspinning) needs
// larger configurations; see docs/bugs.md.
var bugCases = []struct {
	bug, workload string
	steps         int
	live          bool
}{
	{BugNoRunqRecheck, "pingpong", 38, false},
	{BugResetspinningTwice, "pingpong", 20, false},
	{BugWakepNoUndo, "pingpong", 23, false},
	{BugGoparkUnlockFirst, "pingpong", 28, false},
	{BugNoTimerRecheck, "timers", 62, false},
	{BugNoMReserveID, "forcegc-netpoll", 44, false},
	{BugAllocmReady, "allocm", 13, false},
	{BugCheckdeadNoNmsys, "deadlock", 0, false},
}

// TestBugSwitches: each switch makes the checker find its expected
// property violated, and the same workload without it is clean (see
// TestStateSpaces).
func TestBugSwitches(t *testing.T) {
	for _, bc := range bugCases {
		t.Run(bc.bug, func(t *testing.T) {
			c := load(t, bc.workload)
			c.Bugs = []string{bc.bug}
			c.Liveness = bc.live
			m, r := check(t, c, checker.Options{Symmetry: true, Workers: 1})
			want := bugByName[bc.bug].Expect
			if r.Violation == nil || r.Violation.Property != want {
				t.Fatalf("want %s violated, got %s %+v", want, r.Verdict, r.Violation)
			}
			if r.Violation.Kind == "sometimes" {
				return
			}
			if n := len(r.Violation.Trace); n != bc.steps {
				t.Errorf("shortest trace has %d steps; pinned %d", n, bc.steps)
			}
			path, _ := checker.ParsePath(r.Violation.Path)
			tr, err := checker.Replay[State, Action](m, path)
			if err != nil {
				t.Fatal(err)
			}
			if v := tr.FirstViolation(m, false); v == nil || v.Property != want {
				t.Errorf("replaying %s does not violate %s: %+v", r.Violation.Path, want, v)
			}
		})
	}
}

// traceText renders a counterexample for testdata/traces: a header that says
// how to replay it, one line per step (the action and what it changed), and
// the last state.
func traceText(m *Model, bug, workload string, v *checker.Violation) (string, error) {
	path, err := checker.ParsePath(v.Path)
	if err != nil {
		return "", err
	}
	tr, err := checker.Replay[State, Action](m, path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# bug switch: %s (%s)\n", bug, bugByName[bug].Source)
	fmt.Fprintf(&b, "# property:   %s (%s)\n", v.Property, v.Kind)
	fmt.Fprintf(&b, "# replay:     go run ./cmd/gmpcheck replay -model 'testdata/workloads/%s.txt[bug=%s]' -path %s\n", workload, bug, v.Path)
	fmt.Fprintf(&b, "#\n# Regenerate with `go test ./spec -run TestPinnedTraces -update`; review the diff like code.\n\n")
	b.WriteString(m.FormatState(&tr.States[0]))
	b.WriteString("\n\n")
	for i, a := range tr.Actions {
		fmt.Fprintf(&b, "%3d. %-40s %s\n", i+1, m.FormatAction(a), m.FormatStep(&tr.States[i], a, &tr.States[i+1]))
	}
	b.WriteString("\n")
	b.WriteString(m.FormatState(&tr.States[len(tr.States)-1]))
	b.WriteString("\n")
	return b.String(), nil
}

// TestPinnedTraces keeps each switch's shortest counterexample under
// testdata/traces/<switch>.txt, and replays the pinned path to the same
// violation.
func TestPinnedTraces(t *testing.T) {
	for _, bc := range bugCases {
		t.Run(bc.bug, func(t *testing.T) {
			c := load(t, bc.workload)
			c.Bugs = []string{bc.bug}
			m, r := check(t, c, checker.Options{Symmetry: true})
			v := r.Violation
			if v == nil || v.Kind == "sometimes" {
				t.Skip("no trace: the property is a reachability goal")
			}
			text, err := traceText(m, bc.bug, bc.workload, v)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("..", "testdata", "traces", bc.bug+".txt")
			checkOrUpdate(t, file, func(string) string { return text })
			// The pinned path replays to the same violation.
			pinned, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m2 := regexp.MustCompile(`-path ([0-9/]+)`).FindSubmatch(pinned)
			if m2 == nil {
				t.Fatal("no -path in the pinned trace")
			}
			path, _ := checker.ParsePath(string(m2[1]))
			tr, err := checker.Replay[State, Action](m, path)
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.FirstViolation(m, false); got == nil || got.Property != bugByName[bc.bug].Expect {
				t.Errorf("the pinned path does not violate %s: %+v", bugByName[bc.bug].Expect, got)
			}
		})
	}
}
