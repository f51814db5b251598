package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// Each bug switch that the model finds today, in the smallest shipped
// workload that shows it, with the shortest trace's length (for a liveness
// switch, the lasso's).
var bugCases = []struct {
	bug, workload string
	steps         int
	live          bool
}{
	{BugGo117Recheck, "wakep-transient", 35, false},
	{BugNoMReserveID, "forcegc-netpoll", 44, false},
	{BugAllocmReady, "allocm", 13, false},
	{BugNoTimerRecheck, "timers", 64, false},
	{BugNoRunqRecheck, "pingpong", 39, false},
	{BugResetspinningTwice, "pingpong", 21, false},
	{BugCheckdeadNoNmsys, "deadlock", 0, false},
	{BugWakepNoUndo, "pingpong", 24, false},
	{BugGoparkUnlockFirst, "pingpong", 29, false},
	{BugWakeSysmonKeepsWait, "sysmon-syscall", 52, false},
	{BugWakepLostCas, "pingpong", 24, false},
	{BugDropKeepsP, "pingpong", 31, false},
	{BugDropNoDance, "pingpong", 29, false},
	{BugStartmSpinningFirst, "pingpong", 39, false},
	{BugStartmNextpFirst, "pingpong", 39, false},
	{BugGo114ExitsyscallfastNoCas, "go114", 46, false},
	{BugRunqgrabTakesAll, "spawn-heavy", 33, false},
	{BugHandoffpIgnoresRunq, "retake-runq", 35, false},
	{BugWakepNoPidleget, "pingpong", 6, false},
	{BugExitsyscallSlowWithP, "syscall-2p", 9, false},
	{BugGo114RetakeNoCas, "go114", 17, false},
	{BugReleasepTwice, "pingpong", 28, false},
	{BugDropIdleBeforeReleasep, "pingpong", 28, false},
	{BugRunqgetNoRunnext, "pingpong", 19, false},
	{BugRetakeIncidlelockedSign, "deadlock", 7, false},
	{BugCheckdeadNoMcount, "deadlock", 3, false},
	{BugNetpollPopReadies, "forcegc-netpoll", 11, false},
	{BugExitsyscallIgnoresScan, "sysmon-syscall", 24, false},
	{BugGo114ExitsyscallNoCas, "go114", 13, false},
	{BugExitsyscallNoCas, "sysmon-syscall", 16, false},
	{BugResetspinningAlways, "pingpong", 17, false},
	{BugGlobrunqgetNoCap, "runq-overflow", 62, false},
	{BugGlobrunqgetNoPlusOne, "spawn-heavy", 53, false},
	{BugNetpoll0Blocks, "forcegc-netpoll", 9, false},
	{BugNetpollBeforeDance, "netpoll", 53, false},
	{BugTakePResumes, "sysmon-syscall", 26, false},
	{BugForcegcKeepsIdle, "forcegc-netpoll", 29, false},
	{BugStealRunnextNoCas, "pingpong", 20, false},
	{BugPidleputNoCount, "pingpong", 28, false},
	{BugMputNoCount, "pingpong", 32, false},
	{BugNetpollIgnoresWaiters, "forcegc-netpoll", 22, false},
	{BugCheckdeadNoWaiting, "deadlock", 47, false},
	{BugEntersyscallNoWake, "sysmon-syscall", 34, false},
	{BugStealSkipsIdleTimers, "timers-2m", 75, true},
	{BugMputNoCheckdead, "deadlock", 55, true},
	{BugMgetNoUnlink, "pingpong", 39, false},
	{BugStartmNoNextp, "pingpong", 39, false},
	{BugNoIdleGCRecheck, "gcwork", 63, false},
	{BugDropPNoSafePoint, "stw", 69, false},
	{BugHandoffpNoGCStop, "stw-3p-sysmon", 60, false},
	{BugGcstopmNoWakeup, "stw", 27, false},
	{BugGcstopmWakesEarly, "stw-3p", 50, false},
	{BugGcstopmSpinningTwice, "stw", 18, false},
	{BugSTWTakeP, "stw", 42, false},
	{BugStartTWNextpFirst, "stw", 53, false},
	{BugDropPGcstopm, "stw", 67, false},
	{BugSTWIdleNoCount, "stw", 53, false},
	{BugSTWNoWait, "stw", 20, false},
	{BugForEachPSelfBit, "stw", 53, false},
	{BugSafePointWakesEarly, "stw-3p", 75, false},
	{BugSafePointNoWakeup, "stw", 49, false},
	{BugForEachPNoChecks, "stw-twice", 108, false},
	{BugExitsyscallLockedmRace, "locked-syscall", 40, false},
	{BugGo19LockedExit, "locked", 33, false},
	{BugStoplockedmSpuriousWakeup, "locked", 22, false},
	{BugScheduleNoLockedgCheck, "locked-gosched", 13, false},
	{BugStoplockedmKeepsP, "locked", 50, false},
	{BugStartlockedmNoIncidlelocked, "locked", 45, false},
	{BugUnlockKeepsLockedm, "locked", 30, false},
	{BugExitsyscallStopmLocked, "locked-syscall", 32, false},
	{BugInjectglistNoWakep, "netpoll", 60, false},
}

// TestBugSwitches: each switch makes the checker find its expected
// property violated, and the same workload without it is clean (see
// TestStateSpaces).
func TestBugSwitches(t *testing.T) {
	for _, bc := range bugCases {
		t.Run(bc.bug, func(t *testing.T) {
			m, r := bugCheck(t, bc.bug, bc.workload, bc.live)
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
			if r.Violation.Kind == "eventually" {
				if err := tr.CheckLasso(m, want, r.Violation.Loop); err != nil {
					t.Errorf("replaying %s: %v", r.Violation.Path, err)
				}
				return
			}
			if v := tr.FirstViolation(m, false); v == nil || v.Property != want {
				t.Errorf("replaying %s does not violate %s: %+v", r.Violation.Path, want, v)
			}
		})
	}
}

// bugChecks memoizes bugCheck: TestBugSwitches and TestPinnedTraces look
// at the same runs.
var bugChecks = struct {
	sync.Mutex
	m map[string]bugRun
}{m: map[string]bugRun{}}

type bugRun struct {
	m *Model
	r *checker.Result
}

// bugCheck checks workload with switch bug on (symmetry on; liveness if
// live), once per test binary.
func bugCheck(t *testing.T, bug, workload string, live bool) (*Model, *checker.Result) {
	t.Helper()
	bugChecks.Lock()
	defer bugChecks.Unlock()
	if run, ok := bugChecks.m[bug]; ok {
		return run.m, run.r
	}
	c := load(t, workload)
	c.Bugs = []string{bug}
	c.Liveness = live
	m, r := check(t, c, checker.Options{Symmetry: true})
	bugChecks.m[bug] = bugRun{m, r}
	return m, r
}

// TestBugCasesMatchList: every switch is in bugCases, in its own Workload
// and with its own Live flag.
func TestBugCasesMatchList(t *testing.T) {
	cased := map[string]bool{}
	for _, bc := range bugCases {
		b := bugByName[bc.bug]
		if b.Workload != bc.workload || b.Live != bc.live {
			t.Errorf("%s: bugCases says %s live=%v, bugList %s live=%v", bc.bug, bc.workload, bc.live, b.Workload, b.Live)
		}
		cased[bc.bug] = true
	}
	for _, b := range bugList {
		if !cased[b.Name] {
			t.Errorf("%s is not in bugCases", b.Name)
		}
	}
}

// TestEveryPropertyHasASwitch: every Always and Eventually property of the
// catalogue is the expected property of some bug switch (issue 4: "every
// invariant in docs/invariants.md is broken by at least one switch"), and
// every switch expects a property of the catalogue.
func TestEveryPropertyHasASwitch(t *testing.T) {
	expected := map[string][]string{}
	for _, b := range bugList {
		expected[b.Expect] = append(expected[b.Expect], b.Name)
	}
	known := map[string]bool{}
	for _, p := range Catalog(&Config{Liveness: true, ExpectDeadlock: true, STW: true, GCWork: true, Locked: true}) {
		known[p.Name] = true
		if p.Kind != "always" && p.Kind != "eventually" {
			continue
		}
		if len(expected[p.Name]) == 0 {
			t.Errorf("%s property %s is broken by no bug switch", p.Kind, p.Name)
		}
	}
	for prop, names := range expected {
		if !known[prop] {
			t.Errorf("switches %v expect %q, which is not in the catalogue", names, prop)
		}
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
	opts := "bug=" + bug
	if v.Kind == "eventually" {
		opts += ",live"
		fmt.Fprintf(&b, "# lasso:      the cycle starts at step %d (state %d) and returns to it: loop %d\n", v.Loop, v.Loop, v.Loop)
	}
	fmt.Fprintf(&b, "# replay:     go run ./cmd/gmpcheck replay -model 'testdata/workloads/%s.txt[%s]' -path %s\n", workload, opts, v.Path)
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
			m, r := bugCheck(t, bc.bug, bc.workload, bc.live)
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
			if v.Kind == "eventually" {
				lm := regexp.MustCompile(`: loop (-?[0-9]+)`).FindSubmatch(pinned)
				if lm == nil {
					t.Fatal("no loop in the pinned lasso")
				}
				loop, _ := strconv.Atoi(string(lm[1]))
				if err := tr.CheckLasso(m, bugByName[bc.bug].Expect, loop); err != nil {
					t.Errorf("the pinned lasso: %v", err)
				}
				return
			}
			if got := tr.FirstViolation(m, false); got == nil || got.Property != bugByName[bc.bug].Expect {
				t.Errorf("the pinned path does not violate %s: %+v", bugByName[bc.bug].Expect, got)
			}
		})
	}
}
