package sched

import (
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmpspec/gmpspec/impl/note"
	"github.com/gmpspec/gmpspec/impl/runq"
)

// G statuses, with runtime2.go's numbering (runtime2.go:36-117); snapshots
// carry them as they are. The scan bit is set only on _Gsyscall, by
// setBlockOnExitSyscall.
const (
	Gidle      = 0
	Grunnable  = 1
	Grunning   = 2
	Gsyscall   = 3
	Gwaiting   = 4
	Gdead      = 6
	Gpreempted = 9
	Gscan      = 0x1000
)

const (
	_Gidle     = Gidle
	_Grunnable = Grunnable
	_Grunning  = Grunning
	_Gsyscall  = Gsyscall
	_Gwaiting  = Gwaiting
	_Gdead     = Gdead
	_Gscan     = Gscan
)

// P statuses (runtime2.go:122-162).
const (
	Pidle    = 0
	Prunning = 1

	_Pidle    = Pidle
	_Prunning = Prunning
)

// Why a waiting G waits: the twin's record of the wait structure that holds
// it, as the spec keeps it in spec.G.Wait.
const (
	WaitNone    = 0  // not waiting, or committing a network wait
	WaitObj     = 1  // WaitObj+k: on wait object k
	WaitNet     = 8  // on the network poller
	WaitForcegc = 10 // the forcegc helper, parked until sysmon injects it
	WaitPolled  = 11 // returned by netpoll, not yet runnable
)

// Mode says how a run is observed.
type Mode uint8

const (
	// ModeRun runs the scheduler as it is: step points cost a nil
	// check. For benchmarks.
	ModeRun Mode = iota
	// ModeLog runs every step under one global step lock, as the spec's
	// steps are atomic, and logs each with a snapshot of the shared
	// state (Result.Events). Choices are random, from Config.Seed.
	ModeLog
	// ModeControl makes every step wait for a Controller, which names
	// the M that moves next and the choice it makes.
	ModeControl
)

// Config configures a scheduler.
type Config struct {
	GOMAXPROCS int
	// MaxM bounds the threads, sysmon included, as the spec's Config.Ms
	// (+1 with sysmon) does: at the bound startm keeps a reservation and
	// waits for an M to go idle (see startm). 0 means the runtime's
	// maxmcount, 10000.
	MaxM int
	// RunqSize is each P's local run queue capacity: a power of two,
	// at least 2 (impl/runq); 0 means the runtime's 256.
	RunqSize int

	Sysmon  bool // run sysmon (retake, preemption, netpoll, forcegc)
	Netpoll bool // the network poller exists
	Forcegc bool // the forcegc helper exists (sysmon injects it)

	// The tasks: either Programs (program 0 is main) or Main.
	Programs []Program
	Main     func(*Task)

	// Bugs are bug switches (bugs.go).
	Bugs []string

	Mode Mode
	// Seed seeds ModeLog's choices and pauses.
	Seed uint64
	// Watchdog ends a run in which no step is taken for this long
	// (ModeLog, ModeControl: default 5s) or that is not over after this
	// long (ModeRun: default none), and reports the state.
	Watchdog time.Duration
	// MaxSteps ends a ModeLog run after so many events (default 50,000).
	MaxSteps int
	// Syscall is the system call of a program's syscall instruction; it
	// runs on the M's thread between entersyscall and exitsyscall. Nil
	// means a nanosleep of a few microseconds.
	Syscall func()
	// Compute is a unit of a compute instruction's CPU work. Nil means
	// a short loop.
	Compute func()
	// Sample, if positive, makes a ModeRun run sample the scheduler this
	// often for the spec's work-conservation condition: an idle P, work
	// queued (the global queue, or the runnext of a running P), and no
	// spinning M (Result.Stranded).
	Sample time.Duration

	_ struct{}
}

// A Sched is the scheduler: the runtime's schedt (runtime2.go:930-1053)
// with allp, allm and allg.
type Sched struct {
	cfg  Config
	bugs bugSet
	h    *harness // nil in ModeRun

	gomaxprocs int32
	maxm       int64
	runqsize   int // local run queue capacity
	rq         *runq.Sched

	lock mutex // sched.lock

	// Idle Ms, guarded by lock. midle is LIFO (linked through
	// m.schedlink), like the runtime's muintptr list.
	midle        *m
	nmidle       int32
	nmidlelocked int32
	mnext        int64 // mcount: Ms are never freed here
	mwait        int32 // reservations startm holds at the thread bound (see startm)
	nmsys        int32

	// nmspinning counts spinning Ms and the increments wakep and handoffp
	// hand over through startm (see "Spinning" in doc.go). Atomic.
	nmspinning atomic.Int32
	// needspinning: see "Delicate dance" in proc.go. Boolean. Must hold
	// lock to set to 1.
	needspinning atomic.Uint32

	// Idle Ps, guarded by lock; pidle is LIFO. pidle is also read racily
	// (exitsyscallTryGetP), hence atomic.
	pidle     atomic.Pointer[p]
	npidle    atomic.Int32
	idlepMask atomic.Uint64 // bit i: allp[i] is on pidle

	// The global run queue, guarded by lock; runqn is its length, also
	// read without the lock ("!sched.runq.empty()").
	runq  gQueue
	runqn atomic.Int32

	sysmonwait atomic.Bool
	sysmonnote note.Note
	lastpoll   atomic.Int64 // 0: an M is blocked in netpoll
	pollUntil  atomic.Int64
	pollingNet atomic.Int32

	netpollWaiters atomic.Int32
	np             netpoller

	forcegc struct {
		lock mutex
		idle atomic.Bool
		g    *g
	}

	allp   []*p
	allmu  sync.Mutex
	allm   []*m // by id; guarded by allmu
	allgmu sync.Mutex
	allg   atomic.Pointer[[]*g] // by id; copy on append, under allgmu
	gfree  []*g                 // dead func-task Gs to reuse; under allgmu
	objs   []*Obj               // the programs' wait objects

	// How the run ends.
	over     atomic.Bool
	overOnce sync.Once
	done     chan struct{} // closed when over
	endMu    sync.Mutex
	throwMsg string
	throwM   int
	report   string
	exited   bool
	watchdog string

	wg       sync.WaitGroup // the Ms' and env's goroutines
	samples  atomic.Int64
	stranded atomic.Int64
	endAt    atomic.Int64 // when the run ended, since start: user time counts up to it
	start    time.Time
	finished atomic.Int64 // tasks that ran to completion
}

// A mutex is a lock whose holder the snapshots show: sched.lock, a wait
// object's lock, forcegc.lock.
type mutex struct {
	mu    sync.Mutex
	owner atomic.Int32 // the holder's M id + 1; 0 if free
}

// A gQueue is a FIFO of Gs linked through g.schedlink (runtime2.go gQueue).
type gQueue struct {
	head, tail *g
	size       int32
}

func (q *gQueue) pushBack(gp *g) {
	gp.schedlink = nil
	if q.tail != nil {
		q.tail.schedlink = gp
	} else {
		q.head = gp
	}
	q.tail = gp
	q.size++
}

func (q *gQueue) pop() *g {
	gp := q.head
	if gp != nil {
		q.head = gp.schedlink
		if q.head == nil {
			q.tail = nil
		}
		gp.schedlink = nil
		q.size--
	}
	return gp
}

// A g is a goroutine: a task.
type g struct {
	id   int    // index in allg: a program's index, the spec's G
	goid runq.G // id+1, its name in the run queues

	atomicstatus atomic.Uint32
	m            atomic.Pointer[m] // g.m; read racily by setBlockOnExitSyscall
	preempt      atomic.Bool
	waiting      atomic.Uint32 // Wait* while _Gwaiting
	schedlink    *g            // the global queue; guarded by sched.lock

	// Owned by the M running the G.
	pc     atomic.Int32 // next instruction of a program (read racily by sysmon)
	prog   *Program     // nil for a func task and the forcegc helper
	system bool         // the forcegc helper: checkdead does not count it
	task   *Task        // a func task
}

// An m is an OS thread: a goroutine locked to its thread.
type m struct {
	id    int
	sched *Sched

	p, nextp, oldp atomic.Pointer[p]
	curg           atomic.Pointer[g]
	spinning       atomic.Bool
	park           note.Note
	schedlink      *m // midle; guarded by sched.lock

	started   atomic.Bool // mstart1 ran
	spinStart atomic.Bool // mstartfn is mspinning (newm of a spinning start)

	// Local to the M.
	syscalltick uint32
	rng         uint64
	userStart   time.Time // when the current stretch of user code began, for utilisation

	// The harness's view (ModeLog, ModeControl).
	inStep  bool
	label   string // the step in progress
	choice  int
	decided bool
	at      atomic.Pointer[string] // the step the M takes next
	grant   chan int               // ModeControl: the controller's go-ahead, with the choice
}

// A p is a processor.
type p struct {
	id     int
	status atomic.Uint32
	m      atomic.Pointer[m]
	runq   *runq.P
	link   *p // pidle; guarded by sched.lock

	schedtick   atomic.Uint32 // incremented by execute; read by sysmon
	syscalltick atomic.Uint32
	sysmontick  struct { // sysmon's alone
		schedtick   uint32
		schedwhen   int64
		syscalltick uint32
		syscallwhen int64
	}
	busy atomic.Int64 // nanoseconds its Ms ran user code
}

// An Obj is a wait object: a task parks on it and another readies it.
// A Ready that finds nobody waiting leaves a wakeup for the next Park (one
// at most for a program's objects, as in the spec; any number for func
// tasks').
type Obj struct {
	lock    mutex
	waiters []*g // FIFO; guarded by lock
	tokens  int  // guarded by lock
	max     int  // 0: unbounded
	id      int
}

var errRunOver = errors.New("sched: the run is over")

// New checks cfg and returns a scheduler ready to Run.
func New(cfg Config) (*Sched, error) {
	if cfg.GOMAXPROCS < 1 || cfg.GOMAXPROCS > 64 {
		return nil, fmt.Errorf("gomaxprocs %d: must be 1..64", cfg.GOMAXPROCS)
	}
	if cfg.RunqSize == 0 {
		cfg.RunqSize = 256
	}
	if cfg.RunqSize < 2 || cfg.RunqSize&(cfg.RunqSize-1) != 0 {
		return nil, fmt.Errorf("runq %d: the twin's run queue (impl/runq) needs a power of two, at least 2", cfg.RunqSize)
	}
	if (len(cfg.Programs) == 0) == (cfg.Main == nil) {
		return nil, fmt.Errorf("give either Programs or Main")
	}
	b, err := parseBugs(cfg.Bugs)
	if err != nil {
		return nil, err
	}
	if err := checkPrograms(&cfg); err != nil {
		return nil, err
	}
	s := &Sched{cfg: cfg, bugs: b, gomaxprocs: int32(cfg.GOMAXPROCS), runqsize: cfg.RunqSize, done: make(chan struct{})}
	s.maxm = 10000
	if cfg.MaxM > 0 {
		s.maxm = int64(cfg.MaxM)
		min := int64(1)
		if cfg.Sysmon {
			min = 2
		}
		if s.maxm < min {
			return nil, fmt.Errorf("maxm %d: m0 and sysmon need %d", cfg.MaxM, min)
		}
	}
	if cfg.Mode != ModeRun {
		if cfg.Watchdog == 0 {
			cfg.Watchdog = 5 * time.Second
		}
		if cfg.MaxSteps == 0 {
			cfg.MaxSteps = 50000
		}
		s.cfg = cfg
		s.h = newHarness(s)
	}
	rc := runq.Config{Cap: cfg.RunqSize, Overflow: s.runqputslowGlobal, Bugs: runq.Bugs{
		RunqgetNoRunnext:  b.has(bugRunqgetNoRunnext),
		StealRunnextNoCas: b.has(bugStealRunnextNoCas),
		GrabTakesAll:      b.has(bugRunqgrabTakesAll),
	}}
	if s.h != nil {
		rc.Yield = s.h.runqSite
		rc.StealBackoff = s.h.stealBackoff
	} else {
		rc.StealBackoff = runtime.Gosched
	}
	s.rq = runq.NewSched(rc)
	s.init()
	return s, nil
}

// checkPrograms rejects programs the twin cannot run.
func checkPrograms(cfg *Config) error {
	started := map[int]bool{}
	for i, pr := range cfg.Programs {
		for _, in := range pr.Code {
			switch in.Op {
			case OpGo:
				if in.Arg <= 0 || in.Arg >= len(cfg.Programs) || started[in.Arg] {
					return fmt.Errorf("task %s: go %d: no such task, or started twice", pr.Name, in.Arg)
				}
				started[in.Arg] = true
			case OpPark, OpReady:
				if in.Arg < 0 || in.Arg >= 4 {
					return fmt.Errorf("task %s: %s: wait objects are 0..3", pr.Name, in)
				}
			case OpNetwait:
				if !cfg.Netpoll {
					return fmt.Errorf("task %s: netwait needs the netpoll feature", pr.Name)
				}
			case OpSleep:
				return fmt.Errorf("task %s: sleep: the twin has no timers", pr.Name)
			case OpSyscall, OpGosched, OpCompute, OpExit:
			default:
				return fmt.Errorf("task %s: unknown instruction %v", pr.Name, in)
			}
		}
		_ = i
	}
	return nil
}

// init builds the state runtime.main starts from (proc.go:149-334,
// schedinit and procresize): m0 runs main on P0, the other Ps are idle,
// sysmon (m1) is about to start, the forcegc helper is parked.
func (s *Sched) init() {
	for i := 0; i < int(s.gomaxprocs); i++ {
		s.allp = append(s.allp, &p{id: i, runq: s.rq.NewP()})
	}
	m0 := s.allocm(0)
	s.allm = append(s.allm, m0)
	m0.started.Store(true)
	m0.setAt("user")
	s.mnext = 1
	if s.cfg.Sysmon {
		sm := s.allocm(1)
		sm.started.Store(true)
		sm.setAt("sysmon.lock")
		s.allm = append(s.allm, sm)
		s.mnext = 2
	}
	p0 := s.allp[0]
	p0.status.Store(_Prunning)
	p0.m.Store(m0)
	m0.p.Store(p0)
	// procresize puts the Ps on the idle list from the last to the first
	// (proc.go:6235-6251).
	for i := len(s.allp) - 1; i >= 1; i-- {
		pp := s.allp[i]
		s.idlepMask.Or(1 << pp.id)
		pp.link = s.pidle.Load()
		s.pidle.Store(pp)
		s.npidle.Add(1)
	}
	var gs []*g
	if len(s.cfg.Programs) > 0 {
		for i := range s.cfg.Programs {
			gp := s.newg(len(gs))
			gp.prog = &s.cfg.Programs[i]
			gp.atomicstatus.Store(_Gdead)
			gs = append(gs, gp)
		}
		for k := 0; k < 4; k++ {
			s.objs = append(s.objs, &Obj{max: 1, id: k})
		}
	} else {
		gp := s.newg(0)
		gp.task = newTask(s, gp, s.cfg.Main)
		gs = append(gs, gp)
	}
	main := gs[0]
	main.atomicstatus.Store(_Grunning)
	main.m.Store(m0)
	m0.curg.Store(main)
	if s.cfg.Forcegc {
		fg := s.newg(len(gs))
		fg.system = true
		fg.atomicstatus.Store(_Gwaiting)
		fg.waiting.Store(WaitForcegc)
		s.forcegc.g = fg
		s.forcegc.idle.Store(true)
		gs = append(gs, fg)
	}
	s.allg.Store(&gs)
	s.lastpoll.Store(nanotime())
	s.np.wake = make(chan struct{}, 1)
}

func (s *Sched) newg(id int) *g {
	return &g{id: id, goid: runq.G(id + 1)}
}

func (s *Sched) allocm(id int) *m {
	mp := &m{id: id, sched: s, rng: uint64(id)*0x9E3779B97F4A7C15 + s.cfg.Seed + 1}
	if s.cfg.Mode == ModeControl {
		mp.grant = make(chan int)
	}
	return mp
}

// gByID returns the G a run queue holds as id.
func (s *Sched) gByID(id runq.G) *g { return (*s.allg.Load())[id-1] }

func (s *Sched) gs() []*g { return *s.allg.Load() }

func (s *Sched) ms() []*m {
	s.allmu.Lock()
	defer s.allmu.Unlock()
	return append([]*m(nil), s.allm...)
}

func (s *Sched) bug(b bug) bool { return s.bugs.has(b) }

// free reports whether the Ms run freely: ModeRun, or a Controller that
// let them go (Release).
func (s *Sched) free() bool { return s.h == nil || s.h.released.Load() }

// Run runs the program until main returns, checkdead reports, the
// scheduler throws, or the watchdog ends it, and says how it ended.
// A Sched runs once.
func (s *Sched) Run() *Result {
	s.start = time.Now()
	s.startThreads()
	if d := s.cfg.Watchdog; d > 0 || s.h != nil {
		go s.watch()
	}
	if s.cfg.Sample > 0 && s.h == nil {
		s.wg.Add(1)
		go s.sample()
	}
	<-s.done
	return s.finish()
}

// startThreads starts m0 (running main), sysmon and the environment.
func (s *Sched) startThreads() {
	ms := s.ms()
	s.goM(ms[0], func(mp *m) {
		mp.userStart = time.Now()
		gp := mp.curg.Load()
		again := mp.user(gp)
		mp.schedule(again)
	})
	if s.cfg.Sysmon {
		s.goM(ms[1], (*m).sysmon)
	}
	if s.cfg.Netpoll && s.h == nil || s.cfg.Netpoll && s.cfg.Mode == ModeLog {
		s.wg.Add(1)
		go s.netEnv()
	}
}

// goM runs fn as M mp's thread: a goroutine locked to its OS thread.
func (s *Sched) goM(mp *m, fn func(*m)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer func() {
			if r := recover(); r != nil && r != errRunOver {
				if msg, ok := r.(string); ok {
					// A panic of impl/runq ("runqsteal: runq
					// overflow"): the runtime throws there.
					mp.throwFromPanic(msg)
					return
				}
				panic(r)
			}
		}()
		fn(mp)
	}()
}

// finish waits for the threads and collects the result.
func (s *Sched) finish() *Result {
	wall := time.Duration(s.endAt.Load())
	if s.h != nil && s.h.mode == ModeLog {
		// No step begins once the run is over; wake the sleepers once
		// the step in progress has logged its snapshot.
		s.h.mu.Lock()
		s.wakeAll()
		s.h.mu.Unlock()
	} else {
		s.wakeAll()
	}
	stopped := make(chan struct{})
	go func() { s.wg.Wait(); close(stopped) }()
	var stuck string
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		stuck = "some threads did not stop within 5s of the end of the run"
	}
	// Gs still running when the run ended: their stretch of user code
	// counts to the end (the threads have stopped).
	end := s.start.Add(wall)
	for _, mp := range s.ms() {
		if mp == nil || mp.userStart.IsZero() {
			continue
		}
		if pp := mp.p.Load(); pp != nil && end.After(mp.userStart) {
			pp.busy.Add(int64(end.Sub(mp.userStart)))
		}
	}
	r := &Result{Wall: wall, Tasks: s.finished.Load()}
	s.endMu.Lock()
	r.Throw, r.ThrowM, r.Report, r.Exited, r.Watchdog = s.throwMsg, s.throwM, s.report, s.exited, s.watchdog
	s.endMu.Unlock()
	if stuck != "" && r.Watchdog == "" {
		r.Watchdog = stuck
	}
	for _, pp := range s.allp {
		r.Busy += time.Duration(pp.busy.Load())
	}
	r.Procs = int(s.gomaxprocs)
	r.Samples, r.Stranded = s.samples.Load(), s.stranded.Load()
	if s.h != nil {
		r.Events = s.h.events
		r.Steps = len(s.h.events)
		if n := len(r.Events); n > 0 {
			r.Final = r.Events[n-1].Snap
		}
	}
	return r
}

// sample counts, every Config.Sample, the instants at which the spec's
// work-conservation property fails on the running scheduler. The reads are
// racy, as a profiler's are: a sample sees each word at a slightly
// different time.
func (s *Sched) sample() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.Sample)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		s.samples.Add(1)
		if s.npidle.Load() == 0 || s.nmspinning.Load() != 0 || s.needspinning.Load() != 0 {
			continue
		}
		queued := s.runqn.Load() != 0
		for _, pp := range s.allp {
			if queued {
				break
			}
			if pp.status.Load() == _Prunning {
				next, _ := pp.runq.Snapshot()
				queued = next != 0
			}
		}
		if queued {
			s.stranded.Add(1)
		}
	}
}

// A Result says how a run ended.
type Result struct {
	Exited   bool   // main returned
	Throw    string // the runtime's throw, if it threw
	ThrowM   int    // the M that threw
	Report   string // checkdead's fatal error, if it reported
	Watchdog string // why the watchdog ended the run, with the state

	Events []Event   // ModeLog: every step
	Steps  int       // len(Events)
	Final  *Snapshot // ModeLog: the last snapshot
	Wall   time.Duration
	Busy   time.Duration // summed over the Ps: time their Ms ran user code
	Procs  int
	Tasks  int64 // tasks that ran to completion

	// Samples, Stranded: with Config.Sample, the samples taken, and those
	// that found an idle P, queued work and no spinning M.
	Samples, Stranded int64
}

// Err describes an abnormal end: a throw, a report, or the watchdog.
func (r *Result) Err() error {
	switch {
	case r.Throw != "":
		return fmt.Errorf("fatal error: %s (m%d)", r.Throw, r.ThrowM)
	case r.Report != "":
		return fmt.Errorf("fatal error: %s", r.Report)
	case r.Watchdog != "":
		return fmt.Errorf("watchdog: %s", r.Watchdog)
	case !r.Exited:
		return fmt.Errorf("the run ended without main returning")
	}
	return nil
}

// Utilisation is the busy share of the Ps' time: Busy / (Procs x Wall).
func (r *Result) Utilisation() float64 {
	if r.Wall <= 0 || r.Procs == 0 {
		return 0
	}
	return float64(r.Busy) / (float64(r.Procs) * float64(r.Wall))
}

// end ends the run once: every M stops at its next step point, or when it
// wakes.
func (s *Sched) end(f func()) {
	s.endMu.Lock()
	f()
	s.endMu.Unlock()
	s.overOnce.Do(func() {
		s.endAt.Store(int64(time.Since(s.start)))
		s.over.Store(true)
		close(s.done)
	})
}

// throw is the runtime's throw: the run ends with msg, and the M stops.
func (mp *m) throw(msg string) {
	s := mp.sched
	s.end(func() {
		if s.throwMsg == "" && s.report == "" && !s.exited {
			s.throwMsg, s.throwM = msg, mp.id
		}
	})
	if s.free() && s.lock.owner.Load() == int32(mp.id+1) {
		s.unlock()
	}
	mp.stop()
}

// throwFromPanic turns a panic of impl/runq, which stands for a throw of
// the runtime, into a throw of the run.
func (mp *m) throwFromPanic(msg string) {
	defer func() { recover() }()
	mp.throw(msg)
}

// fatal records checkdead's fatal error, or one of its throws: the run
// ends, but the M finishes its step first (checkdead's callers go on to
// unlock sched.lock, as the spec's steps do), and stops at its next step
// point.
func (mp *m) fatal(msg string, report bool) {
	s := mp.sched
	s.end(func() {
		if s.throwMsg == "" && s.report == "" && !s.exited {
			if report {
				s.report = msg
			} else {
				s.throwMsg, s.throwM = msg, mp.id
			}
		}
	})
}

// stop ends the M's step (with the state it left) and unwinds its thread.
func (mp *m) stop() {
	if h := mp.sched.h; h != nil {
		h.end(mp, mp.label)
	}
	panic(errRunOver)
}

// checkOver stops the M if the run is over (ModeRun's stop points; the
// other modes stop at every step point).
func (mp *m) checkOver() {
	if mp.sched.over.Load() {
		panic(errRunOver)
	}
}

// wakeAll wakes every thread that may be asleep, once the run is over.
func (s *Sched) wakeAll() {
	for _, mp := range s.ms() {
		if mp != nil {
			mp.park.Wakeup() // a double wakeup is harmless now
		}
	}
	s.sysmonnote.Wakeup()
	s.np.breakPoll()
	if s.h != nil {
		s.h.wakeAll()
	}
}

func (mp *m) setAt(label string) { mp.at.Store(&label) }

// nanotime is monotonic nanoseconds, never 0.
func nanotime() int64 { return int64(time.Since(epoch)) + 1 }

var epoch = time.Now()

// fastrand is the M's own generator (cheaprand).
func (mp *m) fastrand() uint32 {
	mp.rng += 0x9E3779B97F4A7C15
	z := mp.rng
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return uint32(z ^ (z >> 31))
}

func nthBit(b uint64, n int) int {
	for {
		i := bits.TrailingZeros64(b)
		if n == 0 {
			return i
		}
		b &^= 1 << i
		n--
	}
}
