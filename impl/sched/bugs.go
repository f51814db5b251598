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
	bugTwinIdlepSnapshot: "checkRunqsNoP reads the idle-P mask snapshot that findRunnable took before " +
		"dropping its P (proc.go:3593, 3902-3905), as proc.go does; the twin's default reads the live mask, " +
		"as the spec's checkRunqsNoP step does. See impl/README.md, \"What the twin found\".",
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
