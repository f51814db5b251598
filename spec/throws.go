package spec

// The runtime's throws in scope. A step that reaches one records it in
// State.Throw and the state becomes terminal; each throw is an invariant
// ("throw-...: never reached"). Source lines are Go 1.26.8's.

type throwCode uint8

const (
	throwNone throwCode = iota
	throwDoubleWakeup
	throwNegativeNmspinning
	throwWakepNegative
	throwStopmHoldingP
	throwStopmSpinning
	throwStartmMSpinning
	throwStartmMHasP
	throwStartmPHasRunnable
	throwStartmPRequired
	throwScheduleSpinningLocalWork
	throwWirepAlreadyInGo
	throwWirepInvalidP
	throwReleasepInvalidArg
	throwReleasepInvalidP
	throwPidleputNonEmpty
	throwCheckdeadInconsistent
	throwCheckdeadRunnableG
	throwReadyBadStatus
	throwCasWaitingRunnable
	throwBadGStatus
	throwGoparkBadStatus
	throwGoschedBadStatus
	throwResetspinningNotSpinning
	throwRunqputbatchOverflow
	throwGlobrunqEmpty
	throwRunqstealOverflow
	throwNetpollWithP
	throwNetpollSpinning
	throwCasfromGscan
	throwForcegcPhaseError
	throwSTWNotStopped
	throwSTWNotStoppedStatus
	throwStartTWNextp
	throwForEachPWaitNonzero
	throwForEachPNotDone
	throwForEachPDidNotRun
	throwGcstopmNotWaiting
	throwGcstopmNegative
	throwStoplockedmInconsistent
	throwStoplockedmNotRunnable
	throwStartlockedmLockedToMe
	throwStartlockedmMHasP
	numThrow
)

// A throwInfo describes a throw: its property name, the runtime's message,
// and where the runtime throws it.
type throwInfo struct {
	name, msg, source string
}

var throws = [numThrow]throwInfo{
	throwDoubleWakeup:              {"no-double-wakeup", "notewakeup - double wakeup", "lock_futex.go:28-31"},
	throwNegativeNmspinning:        {"nmspinning-nonnegative", "findRunnable: negative nmspinning", "proc.go:3661-3663, 4027-4030"},
	throwWakepNegative:             {"wakep-nmspinning-nonnegative", "wakep: negative nmspinning", "proc.go:3229-3232"},
	throwStopmHoldingP:             {"stopm-without-p", "stopm holding p", "proc.go:2998-3000"},
	throwStopmSpinning:             {"stopm-not-spinning", "stopm spinning", "proc.go:3001-3003"},
	throwStartmMSpinning:           {"startm-idle-m-not-spinning", "startm: m is spinning", "proc.go:3109-3111"},
	throwStartmMHasP:               {"startm-idle-m-has-no-p", "startm: m has p", "proc.go:3112-3114"},
	throwStartmPHasRunnable:        {"startm-spinning-p-empty", "startm: p has runnable gs", "proc.go:3115-3117"},
	throwStartmPRequired:           {"startm-spinning-has-p", "startm: P required for spinning=true", "proc.go:3057-3062"},
	throwScheduleSpinningLocalWork: {"schedule-spinning-no-local-work", "schedule: spinning with local work", "proc.go:4160-4162"},
	throwWirepAlreadyInGo:          {"wirep-m-has-no-p", "wirep: already in go", "proc.go:6297-6305"},
	throwWirepInvalidP:             {"wirep-p-idle-unowned", "wirep: invalid p state", "proc.go:6306-6316"},
	throwReleasepInvalidArg:        {"releasep-m-has-p", "releasep: invalid arg", "proc.go:6337-6339"},
	throwReleasepInvalidP:          {"releasep-p-running-here", "releasep: invalid p state", "proc.go:6341-6344"},
	throwPidleputNonEmpty:          {"pidleput-p-empty", "pidleput: P has non-empty run queue", "proc.go:7376-7378"},
	throwCheckdeadInconsistent:     {"checkdead-consistent-counts", "checkdead: inconsistent counts", "proc.go:6400-6404"},
	throwCheckdeadRunnableG:        {"checkdead-no-runnable-g", "checkdead: runnable g", "proc.go:6416-6422"},
	throwReadyBadStatus:            {"ready-g-waiting", "bad g->status in ready", "proc.go:1125-1128"},
	throwCasWaitingRunnable:        {"casgstatus-no-double-ready", "casgstatus: waiting for Gwaiting but is Grunnable", "proc.go:1296-1302"},
	throwBadGStatus:                {"casgstatus-expected-status", "casgstatus: bad incoming values (or a CAS from an unexpected status)", "proc.go:1277-1314"},
	throwGoparkBadStatus:           {"gopark-g-running", "gopark: bad g status", "proc.go:451-454"},
	throwGoschedBadStatus:          {"gosched-g-running", "bad g status", "proc.go:4310-4314"},
	throwResetspinningNotSpinning:  {"resetspinning-m-spinning", "resetspinning: not a spinning m", "proc.go:4023-4025"},
	throwRunqputbatchOverflow:      {"runqputbatch-fits", "Couldn't put Gs into empty local runq", "proc.go:3479-3481, 3605-3607, 3685-3687"},
	throwGlobrunqEmpty:             {"globrunq-nonempty-batch", "global runq empty with non-zero runqsize", "proc.go:3602-3604, 3682-3684"},
	throwRunqstealOverflow:         {"runqsteal-fits", "runqsteal: runq overflow", "proc.go:7742-7744"},
	throwNetpollWithP:              {"netpoll-block-without-p", "findRunnable: netpoll with p", "proc.go:3734-3736"},
	throwNetpollSpinning:           {"netpoll-block-not-spinning", "findRunnable: netpoll with spinning", "proc.go:3737-3739"},
	throwCasfromGscan:              {"resume-holds-scan-bit", "casfrom_Gscanstatus: gp->status is not in scan state", "proc.go:1234-1239"},
	throwForcegcPhaseError:         {"forcegc-phase", "forcegc: phase error", "proc.go:370-373"},
	throwSTWNotStopped:             {"stw-stopwait-zero", "stopTheWorld: not stopped (stopwait != 0)", "proc.go:1715-1716"},
	throwSTWNotStoppedStatus:       {"stw-all-ps-gcstop", "stopTheWorld: not stopped (status != _Pgcstop)", "proc.go:1718-1721"},
	throwStartTWNextp:              {"starttheworld-m-has-no-nextp", "startTheWorld: inconsistent mp->nextp", "proc.go:1792-1794"},
	throwForEachPWaitNonzero:       {"foreachp-not-nested", "forEachP: sched.safePointWait != 0", "proc.go:2145-2147"},
	throwForEachPNotDone:           {"foreachp-done", "forEachP: not done", "proc.go:2206-2208"},
	throwForEachPDidNotRun:         {"foreachp-every-p-ran", "forEachP: P did not run fn", "proc.go:2209-2213"},
	throwGcstopmNotWaiting:         {"gcstopm-gcwaiting", "gcstopm: not waiting for gc", "proc.go:3299-3301"},
	throwGcstopmNegative:           {"gcstopm-nmspinning-nonnegative", "gcstopm: negative nmspinning", "proc.go:3302-3309"},
	throwStoplockedmInconsistent:   {"stoplockedm-consistent-locking", "stoplockedm: inconsistent locking", "proc.go:3253-3255"},
	throwStoplockedmNotRunnable:    {"stoplockedm-lockedg-runnable", "stoplockedm: not runnable", "proc.go:3264-3269"},
	throwStartlockedmLockedToMe:    {"startlockedm-not-locked-to-me", "startlockedm: locked to me", "proc.go:3280-3282"},
	throwStartlockedmMHasP:         {"startlockedm-m-has-no-p", "startlockedm: m has p", "proc.go:3283-3285"},
}
