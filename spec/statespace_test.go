package spec

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

var long = flag.Bool("long", false, "also check the large configurations (minutes)")

func load(t testing.TB, name string) *Config {
	t.Helper()
	c, err := LoadWorkload(filepath.Join("..", "testdata", "workloads", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func check(t testing.TB, c *Config, opt checker.Options) (*Model, *checker.Result) {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m, checker.Check(context.Background(), checker.Model[State, Action](m), opt)
}

// coverage collects, over the configurations checked by this package's
// tests, the steps that fired.
var coverage = struct {
	sync.Mutex
	fired map[string]int64
	runs  int
}{fired: map[string]int64{}}

func noteCoverage(r *checker.Result) {
	coverage.Lock()
	defer coverage.Unlock()
	coverage.runs++
	for k, n := range r.Coverage {
		coverage.fired[k] += n
	}
}

// The pinned state spaces. A change to the model that changes one of these
// numbers must be explained in its commit message. Counts are with symmetry
// reduction unless noted; depth is the breadth-first diameter.
var pinned = []struct {
	workload string
	sym      bool
	live     bool
	states   int64
	depth    int
	long     bool
}{
	{"pingpong", false, false, 108121, 148, false},
	{"pingpong", true, true, 34437, 133, false},
	{"spawn-heavy", true, false, 1450065, 185, false},
	{"go114", true, false, 2286, 61, false},
	{"netpoll", true, false, 1905773, 173, false},
	{"deadlock", false, false, 299151, 97, false},
	{"deadlock", true, true, 193318, 97, false},
	{"timers", true, false, 979117, 186, false},
	{"forcegc", true, false, 567432, 180, false},
	{"forcegc-netpoll", true, false, 237566, 133, false},
	{"allocm", true, false, 19893, 113, false},
	{"inject-overflow", true, false, 3779, 91, false},
	{"syscall-steal", true, false, 14466, 82, false},
	{"timer-handoff", true, false, 171212, 150, false},
	{"wakep-transient", true, false, 1461, 75, false},
	{"sysmon-syscall", true, false, 40675, 100, false},
	{"syscall-2p", true, false, 85, 47, false},
	{"runq-overflow", true, false, 183, 85, false},
	{"timers-2m", true, false, 28929, 127, false},
	{"timers-two", true, false, 374, 65, false},
	{"preempt", true, false, 47474, 114, false},
	{"stw", true, false, 14004, 162, false},
	{"stw-twice", true, false, 13767, 179, false},
	{"gcwork", true, false, 170918, 184, false},
	{"stw-sysmon", true, false, 537448, 147, false},
	{"stw-go114", true, false, 88677, 119, false},
	{"stw-3p", true, false, 7165225, 219, true},
	{"forcegc-stw", true, false, 6299541, 353, true},
	{"locked", false, false, 10614, 87, false},
	{"locked", true, false, 6754, 78, false},
	{"locked-gosched", true, false, 169, 67, false},
	{"locked-syscall", true, false, 79656, 138, false},
	{"locked", true, true, 6754, 78, false},
	{"locked-deadlock", true, true, 4860, 77, false},
	{"default", true, false, 40102541, 192, false},
	{"default-forcegc", true, false, 26555225, 264, false},
	{"syscall-heavy", true, false, 50076559, 217, true},
}

// TestStateSpaces checks each pinned configuration exhaustively: every
// property holds (Sometimes ones included) and the state count and depth
// are as pinned.
func TestStateSpaces(t *testing.T) {
	for _, p := range pinned {
		name := p.workload
		if p.sym {
			name += "/sym"
		}
		if p.live {
			name += "/live"
		}
		t.Run(name, func(t *testing.T) {
			if p.long && !*long {
				t.Skip("large configuration: run with -long")
			}
			if strings.HasPrefix(p.workload, "default") && testing.Short() {
				t.Skip("the default configurations take half a minute each")
			}
			c := load(t, p.workload)
			c.Liveness = p.live
			_, r := check(t, c, checker.Options{Symmetry: p.sym})
			noteCoverage(r)
			if r.Verdict != checker.VerdictOK {
				t.Fatalf("verdict %s (%s): %+v\nreproduce: go run ./cmd/gmpcheck check -workload testdata/workloads/%s.txt", r.Verdict, r.Incomplete, r.Violation, p.workload)
			}
			if r.DistinctStates != p.states || r.Depth != p.depth {
				t.Errorf("%s: %d states, depth %d; pinned %d, depth %d", name, r.DistinctStates, r.Depth, p.states, p.depth)
			}
		})
	}
}

// wantViolation checks a workload (symmetry on) that Go itself gets wrong,
// requires property to be violated with a shortest trace of n entries (the
// initial state and n-1 steps), and returns the configuration, the result
// and the trace's last state.
func wantViolation(t *testing.T, workload, property string, n int) (*Config, *checker.Result, State) {
	t.Helper()
	c := load(t, workload)
	m, r := check(t, c, checker.Options{Symmetry: true})
	noteCoverage(r)
	if r.Violation == nil || r.Violation.Property != property {
		t.Fatalf("want %s violated, got %s %+v", property, r.Verdict, r.Violation)
	}
	if got := len(r.Violation.Trace); got != n {
		t.Errorf("shortest trace has %d steps; pinned %d", got, n)
	}
	path, err := checker.ParsePath(r.Violation.Path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := checker.Replay[State, Action](m, path)
	if err != nil {
		t.Fatal(err)
	}
	return c, r, tr.States[len(tr.States)-1]
}

// TestGo114Issue40368: the seed documents' Go 1.14 startm unlocks before
// newm counts the new M, and sysmon calls startm(nil, false) for overdue
// timers outside any incidlelocked bracket. With no bug switch, the checker
// finds golang/go#40368: a thread leaving a syscall finds no P, queues its
// G and parks, and the last M to park runs checkdead with run == 0 and a
// runnable G.
func TestGo114Issue40368(t *testing.T) {
	c, _, last := wantViolation(t, "go114-timers", "throw-checkdead-no-runnable-g", 63)
	// The sysmon startm that caused it has not counted its M yet.
	if pc(last.M[c.sysmonM()].PC) != pcStartmNewm114Lock {
		t.Errorf("sysmon is at %s, want mcommoninit.lock", steps[last.M[c.sysmonM()].PC].name)
	}
	// With the go1.26 profile (mReserveID, no sysmon startm for timers)
	// the same workload is clean.
	c.Profile = ProfileGo126
	if _, r := check(t, c, checker.Options{Symmetry: true}); r.Verdict != checker.VerdictOK {
		t.Errorf("go1.26: %s %+v", r.Verdict, r.Violation)
	}
}

// TestGo114WorkConservation: in the go1.14 profile on two Ps the checker
// finds work conservation failing (ready's "npidle != 0 && nmspinning ==
// 0" read while sysmon's handoffp holds the retaken P); Go 1.26 closed this
// window with needspinning for the paths it covers (docs/bugs.md).
func TestGo114WorkConservation(t *testing.T) {
	wantViolation(t, "go114-wc", "work-conservation", 85)
}

// TestTimerStrandedByPoller pins a finding about Go 1.26.8 (docs/bugs.md,
// "A timer stranded by the poller"): the M blocked in netpoll until the
// next timer returns with a network goroutine, takes an idle P, runs it and
// wakes nobody (proc.go:3767-3779), so the timer fires on an idle P with no
// M spinning or polling. The model is faithful here; work-conservation, as
// the spec states it, does not hold in Go 1.26.8 with a sleeper and a
// network waiter on two Ps.
func TestTimerStrandedByPoller(t *testing.T) {
	_, r, last := wantViolation(t, "timer-poller", "work-conservation", 61) // init and 60 steps
	if r.DistinctStates != 30303 {
		t.Errorf("%d states to the violation; pinned 30303", r.DistinctStates)
	}
	// The poller returned main and runs it; the sleeper's timer fired on
	// the idle P0; the other M is parked.
	main, sleeper := last.G[0], last.G[1]
	if main.Status != _Grunning || sleeper.Wait != waitTimer || !sleeper.Expired {
		t.Errorf("main %+v, sleeper %+v: want main running and the sleeper's timer fired", main, sleeper)
	}
	if last.P[0].Status != _Pidle || last.P[0].Timers != 1<<1 || last.Sched.NMSpinning != 0 || !last.Sched.LastPoll {
		t.Errorf("P0 %+v, nmspinning %d, lastpoll set %v: want the timer on idle P0, nobody spinning or polling",
			last.P[0], last.Sched.NMSpinning, last.Sched.LastPoll)
	}
}
