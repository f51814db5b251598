package spec

import "sort"

// Bug switches. Each reverts one fix of the runtime (or, for synthetic ones,
// breaks one rule the model checks), so that the checker can show the
// property the fix protects failing.
const (
	BugGo117Recheck       = "go1.17-recheck"
	BugNoMReserveID       = "no-mreserveid"
	BugAllocmReady        = "allocm-ready"
	BugNoTimerRecheck     = "no-timer-recheck"
	BugNoRunqRecheck      = "no-runq-recheck"
	BugResetspinningTwice = "resetspinning-twice"
	BugCheckdeadNoNmsys   = "checkdead-no-nmsys"
	BugGoparkUnlockFirst  = "gopark-unlock-first"
	BugWakepNoUndo        = "wakep-no-undo"

	// Synthetic switches: one plausible slip at the place an invariant
	// protects, so that every Always and Eventually property is broken by
	// some switch (TestEveryPropertyHasASwitch).
	BugWakeSysmonKeepsWait       = "wakesysmon-keeps-sysmonwait"
	BugWakepLostCas              = "wakep-lost-cas"
	BugDropKeepsP                = "drop-keeps-p"
	BugDropNoDance               = "drop-no-dance"
	BugStartmSpinningFirst       = "startm-spinning-first"
	BugStartmNextpFirst          = "startm-nextp-first"
	BugGo114ExitsyscallfastNoCas = "go1.14-exitsyscallfast-no-cas"
	BugRunqgrabTakesAll          = "runqgrab-takes-all"
	BugHandoffpIgnoresRunq       = "handoffp-ignores-runq"
	BugWakepNoPidleget           = "wakep-no-pidleget"
	BugExitsyscallSlowWithP      = "exitsyscall-slow-with-p"
	BugGo114RetakeNoCas          = "go1.14-retake-no-cas"
	BugReleasepTwice             = "releasep-twice"
	BugDropIdleBeforeReleasep    = "drop-idle-before-releasep"
	BugRunqgetNoRunnext          = "runqget-no-runnext"
	BugRetakeIncidlelockedSign   = "retake-incidlelocked-sign"
	BugNetpollPopReadies         = "netpoll-pop-readies"
	BugExitsyscallIgnoresScan    = "exitsyscall-ignores-scan"
	BugGo114ExitsyscallNoCas     = "go1.14-exitsyscall-no-cas"
	BugExitsyscallNoCas          = "exitsyscall-no-cas"
	BugResetspinningAlways       = "resetspinning-unconditional"
	BugGlobrunqgetNoCap          = "globrunqget-no-cap"
	BugGlobrunqgetNoPlusOne      = "globrunqget-no-plus-one"
	BugNetpoll0Blocks            = "netpoll0-blocks"
	BugNetpollBeforeDance        = "netpoll-before-dance"
	BugTakePResumes              = "takep-resumes"
	BugForcegcKeepsIdle          = "forcegc-keeps-idle"
	BugStealRunnextNoCas         = "steal-runnext-no-cas"
	BugPidleputNoCount           = "pidleput-no-npidle"
	BugMputNoCount               = "mput-no-nmidle"
	BugNetpollIgnoresWaiters     = "netpoll-ignores-waiters"
	BugCheckdeadNoWaiting        = "checkdead-no-waiting"
	BugEntersyscallNoWake        = "entersyscall-no-wake-sysmon"
	BugMputNoCheckdead           = "mput-no-checkdead"
	BugStealSkipsIdleTimers      = "steal-skips-idle-timers"
	BugMgetNoUnlink              = "mget-no-unlink"
	BugStartmNoNextp             = "startm-no-nextp"
	BugCheckdeadNoMcount         = "checkdead-no-mcount"

	// The garbage collector's side (features stw, gcwork).
	BugNoIdleGCRecheck      = "no-idle-gc-recheck"
	BugDropPNoSafePoint     = "dropp-no-safepoint"
	BugHandoffpNoGCStop     = "handoffp-no-gcstop"
	BugGcstopmNoWakeup      = "gcstopm-no-wakeup"
	BugGcstopmWakesEarly    = "gcstopm-wakes-early"
	BugGcstopmSpinningTwice = "gcstopm-spinning-twice"
	BugSTWTakeP             = "stw-takep"
	BugStartTWNextpFirst    = "starttheworld-nextp-first"
	BugDropPGcstopm         = "dropp-gcstopm"
	BugSTWIdleNoCount       = "stw-idle-no-stopwait"
	BugSTWNoWait            = "stw-no-wait"
	BugForEachPSelfBit      = "foreachp-asks-itself"
	BugSafePointWakesEarly  = "safepoint-wakes-early"
	BugSafePointNoWakeup    = "safepoint-no-wakeup"
	BugForEachPNoChecks     = "foreachp-no-checks"
)

// Locked threads (feature locked).
const (
	BugExitsyscallLockedmRace      = "exitsyscall0-lockedm-race"
	BugGo19LockedExit              = "go1.9-locked-exit"
	BugStoplockedmSpuriousWakeup   = "stoplockedm-spurious-wakeup"
	BugScheduleNoLockedgCheck      = "schedule-no-lockedg-check"
	BugStoplockedmKeepsP           = "stoplockedm-keeps-p"
	BugStartlockedmNoIncidlelocked = "startlockedm-no-incidlelocked"
	BugUnlockKeepsLockedm          = "unlockosthread-keeps-lockedm"
	BugExitsyscallStopmLocked      = "exitsyscall-stopm-locked"
	BugInjectglistNoWakep          = "injectglist-no-wakep"
)

// A Bug describes a bug switch.
type Bug struct {
	Name string
	// Source is "golang/go#NNNNN", "CL NNNNNN" or "synthetic".
	Source string
	// Expect is the property the switch is expected to violate.
	Expect string
	Doc    string
	// Workload is the shipped workload (testdata/workloads/NAME.txt) in
	// which the switch is checked.
	Workload string
	// Live says the switch is checked with the liveness properties
	// (Config.Liveness; "[live]" in a model spec): its Expect is an
	// Eventually property.
	Live bool
}

var bugList = []Bug{
	{BugGo117Recheck, "golang/go#45867", "work-conservation",
		"No needspinning handshake, as in Go 1.17-1.19: after CL 310850 only a spinning M rechecks the run queues after dropping its P, pidlegetSpinning is plain pidleget, and a non-spinning M about to drop its P does not look at sched.needspinning (proc.go:3610-3615, 7430-7443). An M that meets wakep's transient nmspinning increment at the spinning gate neither spins nor rechecks, and drops its P while work waits in a runnext. Go 1.20 added the handshake. Found in wakep-transient (two Ps, 341 states) and pingpong.", "wakep-transient", false},
	{BugNoMReserveID, "golang/go#40368", "throw-checkdead-no-runnable-g",
		"startm releases sched.lock before the new M is counted (no mReserveID): a thread that comes back with work and no P (from a syscall, or from netpoll), queues its G globally and parks sees run == 0 in checkdead with a runnable G. In 1.26 the one sysmon path to startm without an incidlelocked bracket is forcegc's injectglist.", "forcegc-netpoll", false},
	{BugAllocmReady, "golang/go#10573", "throw-schedule-spinning-no-local-work",
		"newm's allocm may ready a goroutine (Go 1.5's GC assist while allocm borrowed the P) onto the P being handed to a new spinning M, after startm's emptiness check: the M starts spinning with local work.", "allocm", false},
	{BugNoTimerRecheck, "CL 232298", "work-conservation",
		"The spinning M that drops its P does not recheck timers (checkTimersNoP), so it parks instead of waiting in netpoll for a timer on an idle P (Go 1.14-1.15).", "timers", false},
	{BugNoRunqRecheck, "synthetic", "work-conservation",
		"The spinning M that drops its P skips checkRunqsNoP: work submitted while it was still counted as spinning is stranded.", "pingpong", false},
	{BugResetspinningTwice, "synthetic", "throw-nmspinning-nonnegative",
		"resetspinning decrements nmspinning twice.", "pingpong", false},
	{BugCheckdeadNoNmsys, "synthetic", "checkdead-reports",
		"checkdead forgets to subtract nmsys from mcount: sysmon counts as a running M, so a true deadlock is never reported.", "deadlock", false},
	{BugWakepNoUndo, "synthetic", "nmspinning-ledger",
		"wakep keeps its nmspinning increment when pidlegetSpinning finds no idle P: nmspinning counts a spinning M that does not exist, and wakep never starts one again.", "pingpong", false},
	{BugGoparkUnlockFirst, "synthetic", "throw-ready-g-waiting",
		"park_m releases the wait object's lock (unlockf) before the G is _Gwaiting, so a waker can ready a G that is still running.", "pingpong", false},
	{BugWakeSysmonKeepsWait, "synthetic", "throw-no-double-wakeup",
		"entersyscallWakeSysmon (and exitsyscall's idle-P path) wakes sysmon but forgets sched.sysmonwait.Store(false) (proc.go:4749, and wakeSysmon's twin in exitsyscallTryGetP): the next thread to see sysmonwait wakes the note again before sysmon has cleared it: \"notewakeup - double wakeup\".", "sysmon-syscall", false},
	{BugWakepLostCas, "synthetic", "throw-wakep-nmspinning-nonnegative",
		"wakep tests nmspinning == 0 but loses its CompareAndSwap(0, 1) (proc.go:3215), and with it the spinning argument it hands to startm: when pidlegetSpinning then finds no idle P, the undo (proc.go:3229-3232) drives nmspinning negative: \"wakep: negative nmspinning\".", "pingpong", false},
	{BugDropKeepsP, "synthetic", "throw-stopm-without-p",
		"A non-spinning M giving up in findRunnable skips releasep and pidleput (proc.go:3616-3619) and goes on to stop: \"stopm holding p\" (proc.go:2998-3000).", "pingpong", false},
	{BugDropNoDance, "synthetic", "throw-stopm-not-spinning",
		"A spinning M that drops its P skips the \"Delicate dance\" (proc.go:3659-3663: m.spinning = false, nmspinning--, then the rechecks) and goes straight to the poll and stopm: \"stopm spinning\" (proc.go:3001-3003).", "pingpong", false},
	{BugStartmSpinningFirst, "synthetic", "throw-startm-idle-m-not-spinning",
		"startm sets nmp.spinning before its checks on the idle M it took (proc.go:3109-3118 reordered: the store of line 3118 moved above line 3109): a start with spinning=true throws \"startm: m is spinning\". Contrived: an M on sched.midle with m.spinning set is otherwise reachable only through a stopm that does not check spinning (throw-stopm-not-spinning fires first) or an M left on midle after mget (checkdead then miscounts and throws \"runnable g\" first: a mget that does not pop was tried), so only a reordering inside the waking step reaches this throw.", "pingpong", false},
	{BugStartmNextpFirst, "synthetic", "throw-startm-idle-m-has-no-p",
		"startm sets nmp.nextp before its checks on the idle M it took (proc.go:3112-3119 reordered: the store of line 3119 moved above line 3112): \"startm: m has p\". Contrived for the same reason as startm-spinning-first: an idle M with a stale nextp is a p-owned-once violation (it would hold two Ps), and an M left on midle makes checkdead throw first.", "pingpong", false},
	{BugGo114ExitsyscallfastNoCas, "synthetic", "throw-wirep-p-idle-unowned",
		"Go 1.14's exitsyscallfast takes its old P back when it finds it on the idle list, as if its Cas(&oldp.status, _Psyscall, _Pidle) had succeeded ([14] exitsyscallfast: the status test widened to an idle P): after sysmon has retaken the P and handoffp has made it idle, wirep finds it on the idle list: \"wirep: invalid p state\" (proc.go:6306-6316). Contrived: widened to any _Pidle P, the same slip takes a P that another M holds in nextp and is caught first by p-owned-once; only a P on the idle list, which the ownership invariant allows to be held in transit, reaches the throw.", "go114", false},
	{BugRunqgrabTakesAll, "synthetic", "throw-runqsteal-fits",
		"runqgrab takes the whole ring and, on top of it, the victim's runnext (proc.go:7665-7710: n - n/2 becomes n, and runnext is not left to the last pass), so runqsteal returns runnext and publishes a full queue: \"runqsteal: runq overflow\" (proc.go:7742-7744). Contrived: the thief's own queue is empty when it steals, and half a victim's queue always fits, so only a grab larger than the queue reaches the throw.", "spawn-heavy", false},
	{BugHandoffpIgnoresRunq, "synthetic", "throw-startm-spinning-p-empty",
		"handoffp forgets the P's own run queue in its first test (proc.go:3136, `!runqempty(pp) ||` dropped): with nobody spinning and no idle P it starts a spinning M on a P with local work: \"startm: p has runnable gs\" (proc.go:3115-3117).", "retake-runq", false},
	{BugWakepNoPidleget, "synthetic", "throw-startm-spinning-has-p",
		"wakep calls startm(nil, true) as Go 1.14 did, instead of taking an idle P with pidlegetSpinning first (proc.go:3227-3244): Go 1.26's startm requires a P for a spinning M: \"startm: P required for spinning=true\" (proc.go:3057-3062).", "pingpong", false},
	{BugExitsyscallSlowWithP, "synthetic", "throw-wirep-m-has-no-p",
		"exitsyscall takes the slow path even though its P was not taken (proc.go:4914-4930, the m.p check lost): exitsyscallTryGetP gets an idle P and wires it to an M that still has one: \"wirep: already in go\" (proc.go:6297-6305).", "syscall-2p", false},
	{BugGo114RetakeNoCas, "synthetic", "p-owned-once",
		"Go 1.14's retake replaces its Cas(&pp.status, _Psyscall, _Pidle) with a store ([14] retake): after exitsyscallfast has won the P back and wired it, sysmon marks the running P _Pidle and hands it off: the P is idle and some M's p at once.", "go114", false},
	{BugReleasepTwice, "synthetic", "throw-releasep-m-has-p",
		"findRunnable's drop path calls releasep twice (proc.go:3616): the second call has no P: \"releasep: invalid arg\" (proc.go:6337-6339). Contrived: every other path to this throw is a state that p-owned-once rejects first, so only a second call in the same step reaches it.", "pingpong", false},
	{BugDropIdleBeforeReleasep, "synthetic", "throw-releasep-p-running-here",
		"findRunnable's drop path marks the P _Pidle before calling releasep (proc.go:3616-3619, pidleput's work done ahead of releasep): releasep sees a P that is not _Prunning: \"releasep: invalid p state\" (proc.go:6341-6344). Contrived: a P whose p.m or status disagrees with m.p is a p-owned-once violation in the state before, so only a mutation inside the releasing step reaches the throw.", "pingpong", false},
	{BugRunqgetNoRunnext, "synthetic", "throw-pidleput-p-empty",
		"The owner's runqget forgets runnext (proc.go:7601-7606) and reads only the ring: findRunnable finds its local queue empty while runnext holds a G and drops the P: \"pidleput: P has non-empty run queue\" (proc.go:7376-7378).", "pingpong", false},
	{BugRetakeIncidlelockedSign, "synthetic", "nmidlelocked-ledger",
		"retake calls incidlelocked(1) where incidlelocked(-1) was meant before looking at a running P (proc.go:6683): nmidlelocked-ledger sees sched.nmidlelocked count sysmon as idle where it should count it as running, at the step. Left to run, checkdead would see nmidlelocked = 2 after the matching incidlelocked(1) (proc.go:6720) and throw \"checkdead: inconsistent counts\" (proc.go:6400-6404), the property this switch was pinned to before nmidlelocked-ledger applied to every configuration.", "deadlock", false},
	{BugNetpollPopReadies, "synthetic", "throw-casgstatus-no-double-ready",
		"findRunnable makes the G it pops from netpoll's list runnable at once (as injectglist does the rest) and again before running it (proc.go:3499-3503, 3774-3778): \"casgstatus: waiting for Gwaiting but is Grunnable\" (proc.go:1296-1302). Contrived: a second ready by another thread is caught first by ready's own check (throw-ready-g-waiting) or by g-in-one-place (two owners), so only a second CAS by the same owner reaches this throw.", "forcegc-netpoll", false},
	{BugExitsyscallIgnoresScan, "synthetic", "throw-casgstatus-expected-status",
		"exitsyscall's casgstatus(gp, _Gsyscall, _Grunning) does not wait while sysmon holds the scan bit (proc.go:4914; casgstatus's loop on _Gscan, proc.go:1277-1314): the CAS meets _Gscansyscall: \"casgstatus: bad incoming values\".", "sysmon-syscall", false},
	{BugGo114ExitsyscallNoCas, "synthetic", "throw-gopark-g-running",
		"Go 1.14's exitsyscall fast path returns to the goroutine without casgstatus(gp, _Gsyscall, _Grunning) ([14] exitsyscall): the G runs user code in _Gsyscall, and its next park finds it not running: \"gopark: bad g status\" (proc.go:451-454).", "go114", false},
	{BugExitsyscallNoCas, "synthetic", "throw-gosched-g-running",
		"Go 1.26's exitsyscall fast path (m.p still set) returns without casgstatus(gp, _Gsyscall, _Grunning) (proc.go:4914): the G runs in _Gsyscall, and its Gosched finds it not running: \"bad g status\" (proc.go:4310-4314).", "sysmon-syscall", false},
	{BugResetspinningAlways, "synthetic", "throw-resetspinning-m-spinning",
		"schedule calls resetspinning whether or not the M spins (proc.go:4198, `if mp.spinning` dropped): \"resetspinning: not a spinning m\" (proc.go:4023-4025).", "pingpong", false},
	{BugGlobrunqgetNoCap, "synthetic", "throw-runqputbatch-fits",
		"globrunqgetbatch forgets its n argument (proc.go:7300: n = min(size, size/gomaxprocs+1)): on one P it takes the whole global queue, and more than the local queue holds: \"Couldn't put Gs into empty local runq\" (proc.go:3479-3481).", "runq-overflow", false},
	{BugGlobrunqgetNoPlusOne, "synthetic", "throw-globrunq-nonempty-batch",
		"globrunqgetbatch bounds the batch by size/gomaxprocs without the +1 (proc.go:7300): with fewer queued Gs than Ps it takes none, and findRunnable's drop path throws \"global runq empty with non-zero runqsize\" (proc.go:3602-3604).", "spawn-heavy", false},
	{BugNetpoll0Blocks, "synthetic", "throw-netpoll-block-without-p",
		"findRunnable's non-blocking poll with its P (proc.go:3495-3496, netpoll(0)) becomes the blocking one: \"findRunnable: netpoll with p\" (proc.go:3734-3736).", "forcegc-netpoll", false},
	{BugNetpollBeforeDance, "synthetic", "throw-netpoll-block-not-spinning",
		"checkRunqsNoP calls becomeSpinning before testing pidlegetSpinning's result (proc.go:3906-3917): an M that found work but no P goes on spinning and without a P to the blocking netpoll: \"findRunnable: netpoll with spinning\" (proc.go:3737-3739).", "netpoll", false},
	{BugTakePResumes, "synthetic", "throw-resume-holds-scan-bit",
		"takeP clears the G's scan bit itself (releaseP ending in resume, proc.go:6810-6831), and its callers (retake, exitsyscallTryGetP) resume again: \"casfrom_Gscanstatus: gp->status is not in scan state\" (proc.go:1234-1239).", "sysmon-syscall", false},
	{BugForcegcKeepsIdle, "synthetic", "throw-forcegc-phase",
		"sysmon injects the forcegc helper without forcegc.idle.Store(false) (proc.go:6605): the helper wakes, finds idle still set: \"forcegc: phase error\" (proc.go:370-373).", "forcegc-netpoll", false},
	{BugStealRunnextNoCas, "synthetic", "g-in-one-place",
		"runqgrab takes the victim's runnext without its CAS to 0 (proc.go:7705): the stolen G runs on the thief while it is still the victim's runnext.", "pingpong", false},
	{BugPidleputNoCount, "synthetic", "npidle-matches-pidle",
		"pidleput links the P into sched.pidle without sched.npidle.Add(1) (proc.go:7389).", "pingpong", false},
	{BugMputNoCount, "synthetic", "nmidle-matches-midle",
		"mput links the M into sched.midle without sched.nmidle++ (proc.go:7204).", "pingpong", false},
	{BugNetpollIgnoresWaiters, "synthetic", "checkdead-no-false-deadlock",
		"findRunnable's blocking-netpoll test forgets netpollAnyWaiters() (proc.go:3732): with goroutines waiting on the network and no timer, the last M parks instead of blocking in netpoll, and its mput's checkdead reports \"all goroutines are asleep\" while a descriptor can still become ready.", "forcegc-netpoll", false},
	{BugCheckdeadNoWaiting, "synthetic", "checkdead-no-false-goexit",
		"checkdead does not count _Gwaiting goroutines (proc.go:6412-6414): a true deadlock is reported as \"no goroutines (main called runtime.Goexit)\".", "deadlock", false},
	{BugEntersyscallNoWake, "synthetic", "sysmon-wakeable",
		"reentersyscall skips its sysmonwait check (proc.go:4710-4712): a goroutine enters a long syscall holding a P while sysmon sleeps deeply, and nobody will retake that P.", "sysmon-syscall", false},
	{BugStealSkipsIdleTimers, "synthetic", "work-conservation-live",
		"stealWork tests whether the victim is idle before stealing its timers (proc.go:3860-3885: the `!idlepMask.read` test moved above the timerpMask one): expired timers on an idle P are never run by a thief. checkTimersNoP still makes the M that drops its P wait in netpoll until the timer, so no state is quiet; the M wakes, takes the P it just dropped (the idle list is LIFO), spins, skips the idle P's timer, drops and waits again, forever, while the timer's goroutine stays queued behind an idle P.", "timers-2m", true},
	{BugMgetNoUnlink, "synthetic", "midle-ms-parked",
		"mget returns the head of sched.midle without unlinking it (proc.go:7216-7218, `sched.midle = mp.schedlink` and `sched.nmidle--` dropped): startm wakes the M while it is still on the idle list, and a later startm can take it again.", "pingpong", false},
	{BugStartmNoNextp, "synthetic", "park-note-has-nextp",
		"startm wakes the idle M it took without handing it the P (proc.go:3119, `nmp.nextp.set(pp)` dropped): the M leaves notesleep with no P to acquire, and the P is held by nobody.", "pingpong", false},
	{BugCheckdeadNoMcount, "synthetic", "throw-checkdead-consistent-counts",
		"checkdead's count of running Ms leaves out mcount() (proc.go:6398, `mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys`): the first M to go idle makes it negative. The throw's own switch, since retake-incidlelocked-sign's drift of nmidlelocked is caught first, where it happens, by nmidlelocked-ledger.", "deadlock", false},
	{BugMputNoCheckdead, "synthetic", "checkdead-complete",
		"mput does not call checkdead (proc.go:7205): the last M to go idle does not look for a deadlock, and nothing reports it.", "deadlock", true},

	// The garbage collector's side (features stw, gcwork).
	{BugNoIdleGCRecheck, "golang/go#14179", "work-conservation",
		"No checkIdleGCNoP (proc.go:3700-3717), as before commit 0bae74e8 (Go 1.8): a spinning M that drops its P re-checks the run queues but not GC mark work, and stops while an idle P could run an idle mark worker.", "gcwork", false},
	{BugDropPNoSafePoint, "synthetic", "safepoint-no-idle-p",
		"findRunnable's re-check under sched.lock before dropping its P looks at gcwaiting only, not pp.runSafePointFn (proc.go:3595, the check commit 57afa764 put at every place that checks gcwaiting): the P goes idle still owing the safe point function, after forEachP ran it for the idle Ps.", "stw", false},
	{BugHandoffpNoGCStop, "synthetic", "stw-no-idle-p",
		"handoffp ignores sched.gcwaiting (proc.go:3158-3166): a P handed off while the world stops goes on the idle list, after the stopper took the idle Ps.", "stw-3p-sysmon", false},
	{BugGcstopmNoWakeup, "synthetic", "stopnote-woken",
		"gcstopm decrements sched.stopwait without waking sched.stopnote at zero (proc.go:3315-3317): the stopper sleeps with every P stopped.", "stw", false},
	{BugGcstopmWakesEarly, "synthetic", "throw-stw-stopwait-zero",
		"gcstopm wakes sched.stopnote on every decrement, not only at zero (proc.go:3315): the stopper wakes while Ps still run.", "stw-3p", false},
	{BugGcstopmSpinningTwice, "synthetic", "throw-gcstopm-nmspinning-nonnegative",
		"gcstopm decrements nmspinning twice for a spinning M (proc.go:3302-3309).", "stw", false},
	{BugSTWTakeP, "synthetic", "throw-stw-all-ps-gcstop",
		"stopTheWorldWithSema releases a P in a syscall with takeP (releaseP(_Pidle)) where it means gcstopP (proc.go:1671): the P is counted stopped but is _Pidle.", "stw", false},
	{BugStartTWNextpFirst, "synthetic", "throw-starttheworld-m-has-no-nextp",
		"startTheWorldWithSema sets mp.nextp before checking that it is clear (proc.go:1792-1796).", "stw", false},
	{BugDropPGcstopm, "synthetic", "throw-gcstopm-gcwaiting",
		"findRunnable's re-check before dropping its P calls gcstopm for either of its conditions (proc.go:3595-3598), so a pending safe point function stops an M that no stop is waiting for.", "stw", false},
	{BugSTWIdleNoCount, "synthetic", "stopwait-counts-ps",
		"stopTheWorldWithSema stops the idle Ps without decrementing sched.stopwait (proc.go:1684).", "stw", false},
	{BugSTWNoWait, "synthetic", "stw-world-stopped",
		"stopTheWorldWithSema neither waits for sched.stopnote nor checks (proc.go:1686-1734): the GC runs while Ps still run user code.", "stw", false},
	{BugForEachPSelfBit, "synthetic", "throw-foreachp-every-p-ran",
		"forEachP sets runSafePointFn on its own P too (proc.go:2153, the `p2 != pp` test dropped) while it counts gomaxprocs-1 Ps: the count reaches zero with its own P's request pending.", "stw", false},
	{BugSafePointWakesEarly, "synthetic", "throw-foreachp-done",
		"runSafePointFn wakes sched.safePointNote on every decrement, not only at zero (proc.go:2243).", "stw-3p", false},
	{BugSafePointNoWakeup, "synthetic", "safepointnote-woken",
		"runSafePointFn and handoffp decrement sched.safePointWait without waking sched.safePointNote at zero (proc.go:2243-2245, 3171-3173).", "stw", false},
	{BugForEachPNoChecks, "synthetic", "throw-foreachp-not-nested",
		"forEachP returns without waiting for the safe points and without its checks (proc.go:2193-2213): the next forEachP finds safePointWait not zero.", "stw-twice", false},
	{BugExitsyscallLockedmRace, "golang/go#46524", "throw-stoplockedm-consistent-locking",
		"exitsyscall0 reads gp.lockedm after unlock(&sched.lock), as before the fix of golang/go#46524 (2021; today's comment at proc.go:5091-5096 explains it): globrunqput has already released gp, another M takes it from the global queue and runs it, gp calls LockOSThread there, and the first M then sees gp locked and calls stoplockedm with no lockedg of its own: \"stoplockedm: inconsistent locking\" (proc.go:3253-3255), the crash of the issue's builders.", "locked-syscall", false},
	{BugGo19LockedExit, "golang/go#20395", "locked-exit-thread-exits",
		"A goroutine that exits while locked unwires itself and its thread goes on scheduling (goexit0 clearing m.locked and calling schedule, as in Go 1.9 and earlier): the thread, left in whatever state the goroutine put it in, runs other goroutines. Go 1.10 made gdestroy return to mstart, which exits the thread (mexit).", "locked", false},
	{BugStoplockedmSpuriousWakeup, "synthetic", "throw-stoplockedm-lockedg-runnable",
		"stoplockedm's mPark returns without its note being set (a notesleep whose loop on the key is lost, so that a spurious futex wakeup returns, lock_futex.go:35-53): the locked M wakes while its goroutine still waits: \"stoplockedm: not runnable\" (proc.go:3264-3269).", "locked", false},
	{BugScheduleNoLockedgCheck, "synthetic", "throw-startlockedm-not-locked-to-me",
		"schedule forgets \"if mp.lockedg != 0 { stoplockedm() }\" (proc.go:4142-4145): a locked M whose goroutine yielded looks for work itself, finds its own goroutine and calls startlockedm on it: \"startlockedm: locked to me\" (proc.go:3280-3282).", "locked-gosched", false},
	{BugStoplockedmKeepsP, "synthetic", "throw-startlockedm-m-has-no-p",
		"stoplockedm keeps its P in m.nextp for its own wakeup instead of handing it off (proc.go:3256-3260, handoffp replaced by mp.nextp.set(pp)): the M that finds the locked goroutine has a P to hand over too: \"startlockedm: m has p\" (proc.go:3283-3285). Contrived: a P held in nextp by a sleeping M is allowed by p-owned-once (it is how every M is woken), so the throw is the first check to object.", "locked", false},
	{BugStartlockedmNoIncidlelocked, "synthetic", "nmidlelocked-ledger",
		"startlockedm wakes the locked M without incidlelocked(-1) (proc.go:3287): sched.nmidlelocked keeps counting an M that runs, and checkdead subtracts it from the running threads from then on.", "locked", false},
	{BugUnlockKeepsLockedm, "synthetic", "locked-both-ways",
		"dounlockOSThread clears m.lockedg but not gp.lockedm (proc.go:5658-5659): the goroutine still names the M it left.", "locked", false},
	{BugExitsyscallStopmLocked, "synthetic", "locked-m-runs-only-its-g",
		"exitsyscallNoP ignores that its goroutine is locked and calls stopm (proc.go:5106-5115, the `if locked` branch lost): the locked M goes on sched.midle, from where startm hands it a P and it runs whatever it finds.", "locked-syscall", false},
	{BugInjectglistNoWakep, "synthetic", "work-conservation",
		"injectglist with a P skips its trailing wakep (proc.go:4130) after putting the goroutines it did not hand to idle Ps into its local queue's ring (runqputbatch, proc.go:4111): a P that went idle after injectglist read npidle stays idle while they wait behind the running goroutine. The ring, not runnext, holds them, so only work-conservation over whole local queues sees it.", "netpoll", false},
}

var bugByName = func() map[string]*Bug {
	m := make(map[string]*Bug)
	for i := range bugList {
		m[bugList[i].Name] = &bugList[i]
	}
	return m
}()

// Bugs lists the bug switches.
func Bugs() []Bug { return append([]Bug(nil), bugList...) }

// BugNames lists the switches' names, sorted.
func BugNames() []string {
	var n []string
	for _, b := range bugList {
		n = append(n, b.Name)
	}
	sort.Strings(n)
	return n
}

// allocmReady is the allocm-ready bug's effect: while newm allocates the
// new M, a goroutine is readied onto the P being handed to it. The model
// readies the forcegc helper if it is parked (a GC triggered by the
// allocation wakes it).
func (x *exec) allocmReady() {
	s, c := x.s, x.c
	if !c.Forcegc || !x.flag(fSpinArg) {
		return
	}
	g := c.ng() - 1
	if s.G[g].Status != _Gwaiting || !s.Sched.ForcegcIdle {
		return
	}
	s.Sched.ForcegcIdle = false
	s.G[g].Status = _Grunnable
	s.G[g].Wait = waitNone
	s.P[x.lp()].Runnext = gref(g)
}
