package sched

import (
	"fmt"
	"sort"
	"strings"
)

// Bug switches. Most are the spec's (spec/bugs.go), with the same names,
// each changing the twin where the spec's switch changes the spec, so that
// conformance holds with the same switch on both sides and a counterexample
// the checker found replays on the running code. The last ones are the
// twin's own: they make the twin deviate from the spec, and the
// conformance check must reject them (spec/twin_sched_test.go).
type bug uint8

const (
	bugGo117Recheck bug = iota
	bugNoMReserveID
	bugAllocmReady
	bugNoRunqRecheck
	bugResetspinningTwice
	bugCheckdeadNoNmsys
	bugGoparkUnlockFirst
	bugWakepNoUndo
	bugWakeSysmonKeepsWait
	bugWakepLostCas
	bugDropKeepsP
	bugDropNoDance
	bugStartmSpinningFirst
	bugStartmNextpFirst
	bugHandoffpIgnoresRunq
	bugWakepNoPidleget
	bugExitsyscallSlowWithP
	bugReleasepTwice
	bugDropIdleBeforeReleasep
	bugRetakeIncidlelockedSign
	bugNetpollPopReadies
	bugExitsyscallIgnoresScan
	bugExitsyscallNoCas
	bugResetspinningAlways
	bugGlobrunqgetNoCap
	bugGlobrunqgetNoPlusOne
	bugNetpoll0Blocks
	bugNetpollBeforeDance
	bugTakePResumes
	bugForcegcKeepsIdle
	bugPidleputNoCount
	bugMputNoCount
	bugNetpollIgnoresWaiters
	bugCheckdeadNoWaiting
	bugEntersyscallNoWake
	bugMputNoCheckdead
	bugRunqgetNoRunnext
	bugStealRunnextNoCas
	bugRunqgrabTakesAll
	bugMgetNoUnlink
	bugStartmNoNextp
	bugInjectglistNoWakep
	bugCheckdeadNoMcount

	// The twin's own.
	bugTwinDropPNoNpidle
	bugTwinWakepPidlegetFirst
	bugTwinIdlepSnapshot

	numBugs
)

// bugNames are the switches' names: the spec's, then the twin's own.
var bugNames = [numBugs]string{
	bugGo117Recheck:            "go1.17-recheck",
	bugNoMReserveID:            "no-mreserveid",
	bugAllocmReady:             "allocm-ready",
	bugNoRunqRecheck:           "no-runq-recheck",
	bugResetspinningTwice:      "resetspinning-twice",
	bugCheckdeadNoNmsys:        "checkdead-no-nmsys",
	bugGoparkUnlockFirst:       "gopark-unlock-first",
	bugWakepNoUndo:             "wakep-no-undo",
	bugWakeSysmonKeepsWait:     "wakesysmon-keeps-sysmonwait",
	bugWakepLostCas:            "wakep-lost-cas",
	bugDropKeepsP:              "drop-keeps-p",
	bugDropNoDance:             "drop-no-dance",
	bugStartmSpinningFirst:     "startm-spinning-first",
	bugStartmNextpFirst:        "startm-nextp-first",
	bugHandoffpIgnoresRunq:     "handoffp-ignores-runq",
	bugWakepNoPidleget:         "wakep-no-pidleget",
	bugExitsyscallSlowWithP:    "exitsyscall-slow-with-p",
	bugReleasepTwice:           "releasep-twice",
	bugDropIdleBeforeReleasep:  "drop-idle-before-releasep",
	bugRetakeIncidlelockedSign: "retake-incidlelocked-sign",
	bugNetpollPopReadies:       "netpoll-pop-readies",
	bugExitsyscallIgnoresScan:  "exitsyscall-ignores-scan",
	bugExitsyscallNoCas:        "exitsyscall-no-cas",
	bugResetspinningAlways:     "resetspinning-unconditional",
	bugGlobrunqgetNoCap:        "globrunqget-no-cap",
	bugGlobrunqgetNoPlusOne:    "globrunqget-no-plus-one",
	bugNetpoll0Blocks:          "netpoll0-blocks",
	bugNetpollBeforeDance:      "netpoll-before-dance",
	bugTakePResumes:            "takep-resumes",
	bugForcegcKeepsIdle:        "forcegc-keeps-idle",
	bugPidleputNoCount:         "pidleput-no-npidle",
	bugMputNoCount:             "mput-no-nmidle",
	bugNetpollIgnoresWaiters:   "netpoll-ignores-waiters",
	bugCheckdeadNoWaiting:      "checkdead-no-waiting",
	bugEntersyscallNoWake:      "entersyscall-no-wake-sysmon",
	bugMputNoCheckdead:         "mput-no-checkdead",
	bugRunqgetNoRunnext:        "runqget-no-runnext",
	bugStealRunnextNoCas:       "steal-runnext-no-cas",
	bugRunqgrabTakesAll:        "runqgrab-takes-all",
	bugMgetNoUnlink:            "mget-no-unlink",
	bugStartmNoNextp:           "startm-no-nextp",
	bugInjectglistNoWakep:      "injectglist-no-wakep",
	bugCheckdeadNoMcount:       "checkdead-no-mcount",

	bugTwinDropPNoNpidle:      "twin-dropp-no-npidle",
	bugTwinWakepPidlegetFirst: "twin-wakep-pidleget-first",
	bugTwinIdlepSnapshot:      "twin-idlep-snapshot",
}

// bugDocs say what the twin's own switches do; the spec's are documented
// in spec/bugs.go.
var bugDocs = map[bug]string{
	bugTwinDropPNoNpidle: "findRunnable's drop path links its P into sched.pidle without sched.npidle.Add(1) " +
		"(proc.go:7389 skipped in the pidleput of proc.go:3619 only): the twin deviates from the spec, " +
		"whose pidleput always counts.",
	bugTwinWakepPidlegetFirst: "wakep takes an idle P before its CAS of nmspinning from 0 to 1 " +
		"(proc.go:3215 and 3227 swapped): a step the spec does not have.",
	bugTwinIdlepSnapshot: "checkRunqsNoP reads a copy of the idle-P bits taken before findRunnable drops " +
		"its P. proc.go's idlepMaskSnapshot (proc.go:3588-3590) copies only the slice header of the pMask " +
		"([]uint32), to keep its length: checkRunqsNoP (proc.go:3904) reads the live bits, as the spec's " +
		"checkRunqsNoP step and the twin's default do.",
}

// BugDoc says what one of the twin's own switches does ("" for the spec's
// switches, which spec/bugs.go documents).
func BugDoc(name string) string {
	for b, n := range bugNames {
		if n == name {
			return bugDocs[bug(b)]
		}
	}
	return ""
}

// TwinOnlyBugs are the switches that make the twin deviate from the spec:
// a conformance check must reject them.
var TwinOnlyBugs = []string{"twin-dropp-no-npidle", "twin-wakep-pidleget-first", "twin-idlep-snapshot"}

// BugNames lists the twin's switches, sorted.
func BugNames() []string {
	n := make([]string, 0, numBugs)
	for _, s := range bugNames {
		n = append(n, s)
	}
	sort.Strings(n)
	return n
}

// A bugSet is a set of switches.
type bugSet uint64

func (b bugSet) has(x bug) bool { return b&(1<<x) != 0 }

func parseBugs(names []string) (bugSet, error) {
	var b bugSet
	for _, n := range names {
		found := false
		for i, s := range bugNames {
			if s == n {
				b |= 1 << i
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("the twin has no bug switch %q (it has: %s)", n, strings.Join(BugNames(), ", "))
		}
	}
	return b, nil
}

// StepLabels are the spec's steps the twin takes, by their spec names
// (spec's steps[pc].name): the twin lacks the rest (timers, the go1.14
// profile).
var StepLabels = []string{
	"schedule", "resetspinning", "execute", "user", "park_m.casgstatus", "park_m.unlockf",
	"goschedImpl.lock", "goschedImpl.globrunqput",
	"findRunnable.top", "findRunnable.fairness.lock", "findRunnable.fairness.globrunqget",
	"findRunnable.runqget", "findRunnable.globrunq.lock", "findRunnable.globrunqgetbatch",
	"findRunnable.runqputbatch", "findRunnable.netpoll(0)", "findRunnable.netpoll.casgstatus",
	"netpollAdjustWaiters", "findRunnable.spinning?", "becomeSpinning.nmspinning",
	"becomeSpinning.needspinning", "stealWork", "runqsteal.runnext", "runqgrab.retry", "runqgrab.next",
	"runqsteal.publish", "findRunnable.dropP.lock", "findRunnable.dropP", "findRunnable.dropSpinning",
	"findRunnable.recheck.lock", "findRunnable.recheck.globrunq", "findRunnable.recheck.runqputbatch",
	"findRunnable.recheck.acquirep", "checkRunqsNoP", "checkRunqsNoP.lock",
	"checkRunqsNoP.pidlegetSpinning", "checkRunqsNoP.acquirep", "findRunnable.netpoll?",
	"netpoll(block)", "findRunnable.netpoll.lastpoll", "findRunnable.netpoll.lock",
	"findRunnable.netpoll.pidleget", "findRunnable.netpoll.acquirep",
	"stopm.lock", "stopm.mput", "mPark", "startm.lock", "startm", "newm", "mcommoninit.lock", "mcommoninit",
	"startm.relock", "startm.notewakeup", "mstart1", "mspinning", "mstart1.acquirep",
	"wakep.cas", "wakep.lock", "wakep.pidlegetSpinning", "handoffp.runqempty", "handoffp.nmspinning",
	"handoffp.cas", "handoffp.needspinning", "handoffp.lock", "handoffp.pidleput",
	"ready.casgstatus", "runqput.runnext", "runqput.tail", "runqputslow.lock", "runqputslow.globrunqputbatch",
	"injectglist.casgstatus", "injectglist.lock", "injectglist.globrunqputbatch", "injectglist.globq.lock",
	"injectglist.globq.globrunqputbatch", "injectglist.runqputbatch", "injectglist.overflow.lock",
	"injectglist.overflow.globrunqputbatch", "startIdle.lock", "startIdle.pidlegetSpinning", "startIdle.unlock",
	"reentersyscall.sysmonwait", "entersyscallWakeSysmon.lock", "entersyscallWakeSysmon",
	"exitsyscall.casgstatus", "setBlockOnExitSyscall.read", "setBlockOnExitSyscall.castogscanstatus",
	"setBlockOnExitSyscall.validate", "exitsyscallTryGetP.takeP", "exitsyscallTryGetP.resume",
	"exitsyscall.acquirep", "exitsyscallTryGetP.lock", "exitsyscallTryGetP.pidleget",
	"exitsyscallNoP.casgstatus", "exitsyscallNoP.lock", "exitsyscallNoP.pidleget", "exitsyscallNoP.acquirep",
	"sysmon.lock", "sysmon.nmsys", "sysmon.npidle?", "sysmon.deep.lock", "sysmon.sysmonwait",
	"notetsleep(sysmonnote)", "sysmon.wake.lock", "sysmon.noteclear", "sysmon.netpoll(0)",
	"sysmon.incidlelocked(-1).lock", "sysmon.incidlelocked(-1)", "sysmon.incidlelocked(+1).lock",
	"sysmon.incidlelocked(+1)", "retake.status", "retake.incidlelocked(-1).lock", "retake.incidlelocked(-1)",
	"retake.syscall?", "retake.resume", "retake.takeP", "retake.takeP.resume",
	"retake.incidlelocked(+1).lock", "retake.incidlelocked(+1)", "preemptone.read", "preemptone.preempt",
	"sysmon.forcegc?", "sysmon.forcegc.lock", "sysmon.forcegc.unlock",
}
