package spec

// The state of the scheduler: a plain value of fixed-size arrays, so that
// the checker can copy it, compare it and encode it without following
// pointers. References between objects are small integers biased by one, so
// that the zero value means nil: G g is gref g+1, M m is mref m+1, P p is
// pref p+1. Fields that the runtime keeps as separate words stay separate
// here, even where they could be derived from one another (sched.nmidle and
// the length of sched.midle, for example): the invariants that compare them
// are the point.

// Bounds of the fixed-size arrays. A configuration uses a prefix of each.
const (
	MaxP    = 8  // GOMAXPROCS (at most 8: M.Visited is a uint8 set of Ps)
	MaxM    = 10 // Ms, sysmon included
	MaxG    = 8  // goroutines, the forcegc helper included (at most 8: uint8 sets of Gs)
	MaxRunq = 6  // local run queue capacity
	MaxObj  = 4  // wait objects of the workload
	MaxCall = 5  // nested runtime calls on an M
)

// G status values, runtime2.go:36-117. The scan bit is kept only on
// _Gsyscall, where it is the lock that sysmon and exitsyscall arbitrate on
// (proc.go setBlockOnExitSyscall).
const (
	_Gidle      = 0
	_Grunnable  = 1
	_Grunning   = 2
	_Gsyscall   = 3
	_Gwaiting   = 4
	_Gdead      = 6
	_Gpreempted = 9
	_Gscan      = 0x10 // the runtime's is 0x1000; any spare bit will do
)

// P status values, runtime2.go:122-162. _Psyscall exists only in the go1.14
// profile (in Go 1.26 it is _Psyscall_unused).
const (
	_Pidle    = 0
	_Prunning = 1
	_Psyscall = 2
	_Pgcstop  = 3 // halted for stop-the-world (features stw)
)

// Why a G waits (the model's record of the wait structure holding it).
const (
	waitNone    = 0
	waitObj     = 1 // waitObj+k: on wait object k
	waitNet     = 8 // on a network poll descriptor
	waitTimer   = 9 // on a timer (time.Sleep)
	waitForcegc = 10
	waitPolled  = 11 // returned by netpoll, not yet runnable
	waitSTW     = 12 // its M stops or starts the world, or runs forEachP (casGToWaitingForSuspendG)
	waitGCMark  = 13 // parked until the mark phase ends (gcWaitOnMark)
)

// A G is a goroutine.
type G struct {
	Status  uint8 // _G* (with _Gscan)
	M       uint8 // mref of the M running it (g.m)
	Preempt bool  // g.preempt (and stackguard0 == stackPreempt)
	PC      uint8 // position in the G's workload program
	Wait    uint8 // wait* while _Gwaiting
	Expired bool  // its timer has fired (time passed); the timer still sits on a P
}

// An M is an OS thread. PC and the call stack say which runtime function
// it is in and at which step; the L* fields are the local variables of the
// functions on its stack that other steps need.
type M struct {
	PC    uint8          // the step it takes next (pc*)
	Ret   [MaxCall]uint8 // return steps of the calls in progress
	Depth uint8

	P        uint8 // pref: m.p
	NextP    uint8 // pref: m.nextp
	OldP     uint8 // pref: m.oldp (syscalls)
	CurG     uint8 // gref: m.curg
	Spinning bool  // m.spinning
	Park     uint8 // m.park note key (0 or 1)
	Created  bool  // the M exists (allocm ran)
	Started  bool  // its thread runs (mstart1 ran)
	StartFn  uint8 // mstartfn: 0 none, 1 mspinning

	// Locals.
	LP      uint8          // a P in a local variable (pp, oldp's replacement, ...)
	LM      uint8          // an M in a local variable (nmp, the syscalling M)
	LG      uint8          // a G in a local variable (the G to run, the G to ready)
	LG2     uint8          // a second G (runqput's displaced runnext)
	List    uint8          // bitmask of Gs in a local list (a netpoll result, injectglist's glist)
	List2   uint8          // a second list (injectglist's globq)
	Q       [MaxRunq]uint8 // an ordered batch of Gs (grabbed, or bound for a run queue)
	QN      uint8
	N       uint8  // a count (startIdle's n)
	Delta   uint8  // netpoll's delta, applied later by netpollAdjustWaiters
	Visited uint8  // a set of Ps already looked at (stealWork, checkRunqsNoP, retake)
	Flags   uint16 // f* bits
}

// M.Flags bits: arguments and locals that outlive one step.
const (
	fSpinArg       = 1 << iota // startm's spinning argument
	fLockHeld                  // startm's lockheld argument
	fWasSpin                   // findRunnable's wasSpinning
	fPollUntil                 // findRunnable's pollUntil != 0
	fSysretake                 // retake's sysretake
	fRanTimer                  // stealWork's ranTimer
	fInherit                   // the found G inherits the time slice
	fStole                     // the found G was stolen (for a Sometimes property)
	fLastPass                  // stealWork: the pass that may take timers and runnext
	fNext                      // ready/runqput's next argument
	fPreempted                 // goschedImpl's preempted argument
	fSBOK                      // setBlockOnExitSyscall succeeded
	fMWait                     // startm holds a reservation beyond the thread bound (Sched.MWait)
	fMarkWorker                // the M runs an idle mark worker (findRunnable found one, not a G)
	fSafePointWait             // forEachP's wait
)

// A P is a processor: the right to run Go code.
type P struct {
	Status  uint8 // _P*
	M       uint8 // mref: p.m
	Runq    [MaxRunq]uint8
	RunqN   uint8 // entries in Runq (head is Runq[0])
	Runnext uint8 // gref
	Timers  uint8 // bitmask of Gs whose timers are on this P's heap
}

// Sched is the global scheduler state, runtime2.go schedt (930-1053).
type Sched struct {
	Lock         uint8 // mref of the owner of sched.lock
	Midle        [MaxM]uint8
	NMidle       int8  // sched.nmidle (int32 in the runtime: a bug switch can drive it below zero)
	NMidleLocked int8  // sched.nmidlelocked (sysmon's incidlelocked(-1) makes it -1)
	MNext        uint8 // sched.mnext: mcount() (nmfreed is 0: Ms never exit)
	MWait        uint8 // M ids startm reserved beyond the model's thread bound (counted in mcount; see reserveM)
	NMSys        uint8
	NMSpinning   int8
	NeedSpinning bool
	Pidle        [MaxP]uint8
	NPidle       int8 // sched.npidle (int32 in the runtime, likewise)
	Runq         [MaxG]uint8
	RunqN        uint8
	SysmonWait   bool
	SysmonNote   uint8 // sched.sysmonnote key
	LastPoll     bool  // sched.lastpoll != 0 (false: some M is blocked in netpoll)
	PollUntil    bool  // sched.pollUntil != 0

	NetpollWaiters uint8 // netpollWaiters
	NetReady       uint8 // bitmask: network-waiting Gs whose descriptor is ready (the kernel's view)
	NetBreak       bool  // a netpollBreak is pending

	ForcegcIdle bool  // forcegc.idle
	ForcegcLock uint8 // mref of the M holding forcegc.lock

	ObjLock   [MaxObj]uint8 // mref of the M holding the wait object's lock
	ObjWait   [MaxObj]uint8 // bitmask of Gs parked on the object
	ObjTokens [MaxObj]uint8 // wakeups that found nobody waiting

	// Batched is a history variable for work-conservation, a bitmask of
	// Gs: those in a local run queue's ring because the owner moved them
	// there from the global queue (findRunnable's runqputbatch), a move
	// that wakes nobody (docs/bugs.md). A G's bit is cleared when it
	// leaves the ring.
	Batched uint8

	PollingNet bool // sched.pollingNet (only with splitNetpoll0; see docs/model.md's merges)
}

// World is the state of the garbage collector's side of the scheduler:
// stop-the-world, safe points, GC mark work and locked threads (features
// stw, gcwork, locked). Encode writes it only when one of them is on, so
// that configurations without them keep their encodings.
type World struct {
	GCWaiting      bool  // sched.gcwaiting
	StopWait       int8  // sched.stopwait
	StopNote       uint8 // sched.stopnote key
	Stopped        bool  // the world is stopped: stopTheWorld's checks passed, procresize has not run yet
	Stopper        uint8 // mref of the M that stops (and later starts) the world: the holder of worldsema
	SafePointFn    bool  // sched.safePointFn != nil
	SafePointWait  int8  // sched.safePointWait
	SafePointNote  uint8 // sched.safePointNote key
	RunSafePointFn uint8 // bitmask of Ps: p.runSafePointFn == 1
	GCPhase        uint8 // gc* : how far the GC cycle in progress has got
	GCBlacken      bool  // gcBlackenEnabled != 0
	MarkWork       uint8 // units of mark work left (gcMarkWorkAvailable: work.full != 0 || markroot jobs left)
	MarkWaiter     uint8 // gref of the goroutine parked in gcWaitOnMark

	LockedG [MaxM]uint8 // gref: m.lockedg
	LockedM [MaxG]uint8 // mref: g.lockedm
	NMFreed int8        // sched.nmfreed: Ms that exited (mexit), each left by a goroutine that exited locked to it
	// LockedExit is the set of Ms (bit m) whose goroutine exited while
	// locked to them: m.lockedExt stays nonzero (gdestroy keeps it since
	// golang/go#28979) and the thread exits in mexit. Invariant: such an
	// M runs no goroutine again (locked-exit-thread-exits).
	LockedExit uint16
}

// State is a whole scheduler state.
type State struct {
	G     [MaxG]G
	M     [MaxM]M
	P     [MaxP]P
	Sched Sched
	World World

	// How the run ended, if it did.
	Throw  uint8 // a throw* code: the runtime crashed
	ThrowM uint8 // mref of the M that threw
	Report uint8 // a report* code: checkdead's fatal error
	Exited bool  // main returned: the program exited
}

// checkdead's fatal reports.
const (
	reportNone = iota
	reportNoGoroutines
	reportAllAsleep
)

func gref(g int) uint8 { return uint8(g + 1) }
func mref(m int) uint8 { return uint8(m + 1) }
func pref(p int) uint8 { return uint8(p + 1) }
