package sched

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of the twin on its own. Its conformance with the spec, and the
// replay of the spec's counterexamples on it, are in spec/twin_sched_test.go.
// Reference: proc.go (go1.26.8) throughout; the programs are the spec's
// workloads (testdata/workloads).

func prog(name string, code ...Instr) Program { return Program{Name: name, Code: code} }

// The spec's pingpong and deadlock workloads.
var (
	pingpongProgs = []Program{
		prog("main", Instr{OpGo, 1}, Instr{OpReady, 0}, Instr{OpPark, 1}),
		prog("pong", Instr{OpPark, 0}, Instr{OpReady, 1}),
	}
	deadlockProgs = []Program{
		prog("main", Instr{OpGo, 1}, Instr{OpPark, 0}),
		prog("worker", Instr{OpPark, 1}, Instr{OpReady, 0}),
	}
	syscallProgs = []Program{
		prog("main", Instr{OpGo, 1}, Instr{OpCompute, 0}, Instr{OpPark, 0}),
		prog("sys", Instr{OpSyscall, 0}, Instr{OpSyscall, 0}, Instr{OpReady, 0}),
	}
	netProgs = []Program{
		prog("main", Instr{OpGo, 1}, Instr{OpGo, 2}, Instr{OpPark, 0}, Instr{OpPark, 1}),
		prog("a", Instr{OpNetwait, 0}, Instr{OpReady, 0}),
		prog("b", Instr{OpNetwait, 0}, Instr{OpReady, 1}),
	}
)

// TestPrograms runs the spec's small workloads to their end in every mode
// that runs freely, and pins how each ends.
func TestPrograms(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		report string
	}{
		{"pingpong", Config{GOMAXPROCS: 2, MaxM: 3, RunqSize: 2, Programs: pingpongProgs}, ""},
		{"deadlock", Config{GOMAXPROCS: 2, MaxM: 4, RunqSize: 2, Sysmon: true, Programs: deadlockProgs}, "all goroutines are asleep - deadlock!"},
		{"syscall-heavy", Config{GOMAXPROCS: 2, MaxM: 4, RunqSize: 2, Sysmon: true, Programs: syscallProgs}, ""},
		{"netpoll", Config{GOMAXPROCS: 2, MaxM: 3, RunqSize: 2, Netpoll: true, Programs: netProgs}, ""},
		{"netpoll-sysmon-forcegc", Config{GOMAXPROCS: 1, MaxM: 4, RunqSize: 2, Netpoll: true, Sysmon: true, Forcegc: true, Programs: netProgs}, ""},
	}
	for _, tc := range cases {
		for _, mode := range []Mode{ModeRun, ModeLog} {
			for seed := uint64(1); seed <= 20; seed++ {
				cfg := tc.cfg
				cfg.Mode, cfg.Seed, cfg.Watchdog = mode, seed, 10*time.Second
				s, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				r := s.Run()
				if r.Report != tc.report || r.Throw != "" || r.Watchdog != "" || r.Exited != (tc.report == "") {
					t.Fatalf("%s, mode %d, seed %d: %+v, want report %q", tc.name, mode, seed, r.Err(), tc.report)
				}
				if mode == ModeLog && (len(r.Events) == 0 || r.Final == nil) {
					t.Fatalf("%s: ModeLog logged nothing", tc.name)
				}
			}
		}
	}
}

// TestEvents pins the first steps of pingpong, which are the same in every
// run: main's go, its wakep starting a spinning M on P1 through newm.
func TestEvents(t *testing.T) {
	s, err := New(Config{GOMAXPROCS: 2, MaxM: 3, RunqSize: 2, Programs: pingpongProgs, Mode: ModeLog})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Run()
	var got []string
	for _, e := range r.Events[:8] {
		got = append(got, e.String())
	}
	want := "m0 user #0, m0 runqput.runnext #0, m0 wakep.cas #0, m0 wakep.lock #0, m0 wakep.pidlegetSpinning #0, m0 startm.lock #0, m0 startm #0, m0 newm #0"
	if strings.Join(got, ", ") != want {
		t.Errorf("first events: %s\nwant %s", strings.Join(got, ", "), want)
	}
	sn := r.Events[7].Snap
	if sn.Sched.MCount != 2 || len(sn.Ms) != 2 || sn.Ms[1].NextP != 1 || !sn.Ms[1].SpinStart || sn.Sched.NMSpinning != 1 || sn.Ps[0].Runnext != 1 {
		t.Errorf("after newm: %s", sn)
	}
}

// TestFuncTasks runs func tasks: a fan-out, a parallel sum, ping-pong and
// pipes read in real system calls, at 1, 2 and 4 Ps, and checks their
// results.
func TestFuncTasks(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		for name, main := range map[string]func(*Task){
			"fanout":   fanOut(3, procs, 20),
			"sum":      parallelSum(1<<16, 2*procs),
			"pingpong": pingPong(200),
			"syscalls": syscallHeavy(2, 20),
		} {
			s, err := New(Config{GOMAXPROCS: procs, Sysmon: true, Main: main, Watchdog: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			r := s.Run()
			if err := r.Err(); err != nil {
				t.Fatalf("%s at %d Ps: %v", name, procs, err)
			}
			if r.Busy <= 0 || r.Utilisation() > 1.01 {
				t.Errorf("%s at %d Ps: busy %v of %v: utilisation %.2f", name, procs, r.Busy, r.Wall, r.Utilisation())
			}
		}
	}
}

// TestTaskCounts: every task of a fan-out runs once, and the G structs of
// dead tasks are reused.
func TestTaskCounts(t *testing.T) {
	var ran atomic.Int64
	s, err := New(Config{GOMAXPROCS: 2, Sysmon: true, Main: func(t *Task) {
		done := t.NewObj()
		for i := 0; i < 500; i++ {
			t.Go(func(t *Task) { ran.Add(1); t.Ready(done) })
			if i%10 == 9 {
				for j := 0; j < 10; j++ {
					t.Park(done)
				}
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Run()
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// The last task readies main before it exits, and main may return
	// first: 499 or 500 have finished.
	if ran.Load() != 500 || r.Tasks < 499 || r.Tasks > 500 {
		t.Errorf("%d tasks ran, %d finished; want 500, and 499 or 500", ran.Load(), r.Tasks)
	}
	// At most 11 tasks live at once, but a task's exit may lag behind
	// its Ready on a loaded machine: well under the 501 Gs a run
	// without reuse makes.
	if n := len(s.gs()); n > 100 {
		t.Errorf("%d G structs for 501 tasks, at most 11 of them live at once: dead ones are not reused", n)
	}
}

// TestBadConfigs: clear errors.
func TestBadConfigs(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{GOMAXPROCS: 2, RunqSize: 6, Programs: pingpongProgs}, "runq 6: the twin's run queue (impl/runq) needs a power of two"},
		{Config{GOMAXPROCS: 2, Programs: pingpongProgs, Bugs: []string{"no-such-bug"}}, `the twin has no bug switch "no-such-bug"`},
		{Config{GOMAXPROCS: 1, Programs: []Program{prog("main", Instr{OpSleep, 0})}}, "sleep: the twin has no timers"},
		{Config{GOMAXPROCS: 1, Programs: []Program{prog("main", Instr{OpNetwait, 0})}}, "netwait needs the netpoll feature"},
		{Config{GOMAXPROCS: 0, Programs: pingpongProgs}, "gomaxprocs 0"},
		{Config{GOMAXPROCS: 1}, "give either Programs or Main"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v): %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestWatchdog: a deadlock of the twin that checkdead does not report
// (mput-no-checkdead; without sysmon every M sleeps) ends the run with the
// state printed, instead of hanging.
func TestWatchdog(t *testing.T) {
	for _, mode := range []Mode{ModeLog, ModeRun} {
		s, err := New(Config{GOMAXPROCS: 2, MaxM: 3, RunqSize: 2, Programs: deadlockProgs, Mode: mode,
			Bugs: []string{"mput-no-checkdead"}, Watchdog: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r := s.Run()
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("mode %d: the watchdog took %v", mode, d)
		}
		want := "no step for 300ms: the twin is stuck\nSCHED: gomaxprocs=2 idleprocs=2"
		if mode == ModeRun {
			want = "the run is not over after 300ms"
		}
		if !strings.HasPrefix(r.Watchdog, want) {
			t.Errorf("mode %d: watchdog %q, want it to begin %q", mode, r.Watchdog, want)
		}
		if mode == ModeLog && !strings.Contains(r.Watchdog, "G0: status=waiting") {
			t.Errorf("the watchdog's state does not show main waiting:\n%s", r.Watchdog)
		}
	}
}

// TestController: the controller moves one M at a time, and says clearly
// when the M it names is at another step, or blocked.
func TestController(t *testing.T) {
	c, err := NewController(Config{GOMAXPROCS: 1, MaxM: 1, RunqSize: 2, Programs: deadlockProgs,
		Bugs: []string{"mput-no-checkdead"}, Watchdog: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	defer c.Stop()
	if _, err := c.Step(0, "park_m.casgstatus", 0); err == nil || !strings.Contains(err.Error(), `m0 is at step "user"; the spec's action is "park_m.casgstatus"`) {
		t.Errorf("wrong label: %v", err)
	}
	// Step m0 wherever it is until it parks: both goroutines wait, and
	// its M sleeps in stopm.
	var labels []string
	for len(labels) < 100 {
		at, err := c.Next(0)
		if err != nil {
			t.Fatalf("after %v: %v", labels, err)
		}
		ev, err := c.Step(0, at, 0)
		if err != nil {
			t.Fatal(err)
		}
		labels = append(labels, ev.Label)
		if ev.Label == "stopm.mput" {
			break
		}
	}
	want := "user runqput.runnext wakep.cas wakep.lock wakep.pidlegetSpinning user park_m.casgstatus park_m.unlockf " +
		"schedule findRunnable.top findRunnable.runqget execute user park_m.casgstatus park_m.unlockf " +
		"schedule findRunnable.top findRunnable.runqget findRunnable.spinning? becomeSpinning.nmspinning becomeSpinning.needspinning " +
		"findRunnable.dropP.lock findRunnable.dropP findRunnable.dropSpinning findRunnable.recheck.lock findRunnable.recheck.globrunq " +
		"checkRunqsNoP stopm.lock stopm.mput"
	if got := strings.Join(labels, " "); got != want {
		t.Errorf("m0 took: %s\nwant: %s", got, want)
	}
	_, err = c.Step(0, "mPark", 0)
	if err == nil || !strings.Contains(err.Error(), `m0 did not come to step "mPark" within 1s: it is blocked before step "mPark"`) {
		t.Errorf("blocked M: %v", err)
	}
	if r := c.Stop(); r.Exited || r.Throw != "" || r.Report != "" {
		t.Errorf("stopped run: %v", r.Err())
	}
}
