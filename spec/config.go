package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Op is a user-goroutine instruction.
type Op uint8

const (
	OpGo      Op = iota + 1 // go NAME: newproc
	OpPark                  // park K: block on wait object K (gopark), unless a wakeup is pending
	OpReady                 // ready K: wake one goroutine parked on K (goready), or leave a wakeup
	OpSyscall               // syscall: entersyscall ... exitsyscall
	OpGosched               // gosched: runtime.Gosched
	OpCompute               // compute: user work; a preemption point
	OpNetwait               // netwait: block on a network descriptor until the poller sees it ready
	OpSleep                 // sleep: time.Sleep, a timer on the current P
	OpExit                  // exit: goexit (implicit at the end of a program)
	OpGC                    // gc: runtime.GC: stop the world, mark, stop it again (feature stw)
	OpLock                  // lockosthread: runtime.LockOSThread (feature locked)
	OpUnlock                // unlockosthread: runtime.UnlockOSThread (feature locked)
)

var opNames = map[Op]string{
	OpGo: "go", OpPark: "park", OpReady: "ready", OpSyscall: "syscall", OpGosched: "gosched",
	OpCompute: "compute", OpNetwait: "netwait", OpSleep: "sleep", OpExit: "exit",
	OpGC: "gc", OpLock: "lockosthread", OpUnlock: "unlockosthread",
}

func (o Op) String() string { return opNames[o] }

// An Instr is one instruction of a goroutine's program.
type Instr struct {
	Op  Op
	Arg int // OpGo: the goroutine's index; OpPark/OpReady: the wait object
}

func (in Instr) String() string {
	switch in.Op {
	case OpGo, OpPark, OpReady:
		return fmt.Sprintf("%s %d", in.Op, in.Arg)
	}
	return in.Op.String()
}

// A Program is a user goroutine: its name and instructions. Programs run
// once, top to bottom, and exit at the end.
type Program struct {
	Name string
	Code []Instr
}

// Profiles: which runtime's scheduler the model follows.
const (
	ProfileGo126 = "go1.26"
	ProfileGo114 = "go1.14"
)

// Config is a model configuration: the machine, the workload and the
// scheduler profile.
type Config struct {
	Name       string
	GOMAXPROCS int // Ps
	Ms         int // worker Ms the program may have, m0 included (sysmon is extra)
	RunqSize   int // local run queue capacity (the runtime's is 256; even)
	Gs         []Program
	Profile    string // ProfileGo126 (default) or ProfileGo114

	Sysmon  bool // run sysmon (retake, preemption, netpoll, forcegc)
	Netpoll bool // the network poller exists (netpollinited)
	Forcegc bool // the forcegc helper goroutine exists
	Timers  bool // goroutines may sleep on timers
	STW     bool // stop-the-world and safe points: the gc instruction, and forcegc's helper runs a GC
	GCWork  bool // GC mark work: idle mark workers, handoffp's and checkIdleGCNoP's checks (needs stw)
	Locked  bool // locked threads: LockOSThread, stoplockedm, startlockedm

	// Bugs are the bug switches in effect (see bugs.go).
	Bugs []string
	// Liveness adds the liveness properties (checkdead-complete,
	// work-conservation-live), which need the explicit state graph.
	Liveness bool

	// ExpectDeadlock says the workload truly deadlocks: the model then
	// requires checkdead to report it (a Sometimes property).
	ExpectDeadlock bool

	// split models merged accesses as separate steps (split*): the
	// variants that TestMergesSound compares with the merged model.
	split splitSet

	_ struct{}
}

// A splitSet names merges of docs/model.md's table to undo: each split*
// bit models the accesses of one merge as separate steps.
type splitSet uint8

const (
	splitSpinGate      splitSet = 1 << iota // findRunnable's loads of nmspinning and npidle
	splitHandoffpSum                        // handoffp's nmspinning+npidle
	splitNetpoll0                           // findRunnable's netpoll(0): the guard loads and pollingNet.Swap, then the poll
	splitNetpollCommit                      // netpollblockcommit: the CAS that publishes the waiter, then netpollWaiters++
)

// MaxInstr is the longest goroutine program: a G's program counter is a
// byte, and it reaches len(code) when the program ends.
const MaxInstr = 255

// A ConfigError is a configuration outside the model's bounds, with where
// it is: Field names the directive ("gomaxprocs", "ms", "runq", "profile",
// "features", "bugs") or "g" (goroutine G) or "instr" (instruction I of
// goroutine G), so that a workload file can point at the line.
type ConfigError struct {
	Field string
	G, I  int
	Msg   string
}

func (e *ConfigError) Error() string { return e.Msg }

// Validate checks a configuration against the model's bounds: every limit
// of the state encoding (Ps, Ms, goroutines, program length, run queue
// capacity, wait objects) and the workload's own consistency. The error is
// a *ConfigError.
func (c *Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return &ConfigError{Field: field, G: -1, I: -1, Msg: fmt.Sprintf(format, args...)}
	}
	badG := func(g, i int, format string, args ...any) error {
		field := "g"
		if i >= 0 {
			field = "instr"
		}
		return &ConfigError{Field: field, G: g, I: i, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.GOMAXPROCS < 1 || c.GOMAXPROCS > MaxP:
		return bad("gomaxprocs", "gomaxprocs %d: must be 1..%d", c.GOMAXPROCS, MaxP)
	case c.Ms < 1 || c.Ms+1 > MaxM:
		return bad("ms", "ms %d: must be 1..%d", c.Ms, MaxM-1)
	case c.RunqSize < 2 || c.RunqSize > MaxRunq || c.RunqSize%2 != 0:
		return bad("runq", "runq %d: must be even, 2..%d (runqputslow moves half)", c.RunqSize, MaxRunq)
	case len(c.Gs) < 1:
		return badG(0, -1, "no goroutines: the first one is main")
	case c.ng() > MaxG:
		g := MaxG
		if c.Forcegc {
			g = MaxG - 1
		}
		return badG(min(g, len(c.Gs)-1), -1, "%d goroutines (with forcegc's helper): at most %d", c.ng(), MaxG)
	}
	if c.Timers && !c.Netpoll {
		// Arming a timer initializes the network poller
		// (netpollGenericInit in time.go): timers sleep in netpoll.
		return bad("features", "the timers feature needs netpoll (timers wait in the network poller)")
	}
	if c.GCWork && !c.STW {
		return bad("features", "the gcwork feature needs stw (mark work exists between the GC's stops of the world)")
	}
	if (c.GCWork || c.Locked) && c.go114() {
		return bad("features", "the gcwork and locked features follow Go 1.26 only (profile go1.14 has stw)")
	}
	switch c.Profile {
	case "", ProfileGo126, ProfileGo114:
	default:
		return bad("profile", "profile %q: want %s or %s", c.Profile, ProfileGo126, ProfileGo114)
	}
	spawned := make(map[int]bool)
	gcBy := -1
	for gi, p := range c.Gs {
		locked := false // the goroutine's lockedExt, known statically: programs are straight-line
		if len(p.Code) > MaxInstr {
			return badG(gi, MaxInstr, "g %s: %d instructions: at most %d (a goroutine's program counter is a byte)", p.Name, len(p.Code), MaxInstr)
		}
		for ii, in := range p.Code {
			switch in.Op {
			case OpGo:
				switch {
				case in.Arg == 0:
					return badG(gi, ii, "g %s: go %s: main is the first goroutine and is never started by a go", p.Name, c.Gs[0].Name)
				case in.Arg < 0 || in.Arg >= len(c.Gs):
					return badG(gi, ii, "g %s: go %d: no such goroutine", p.Name, in.Arg)
				case spawned[in.Arg]:
					return badG(gi, ii, "g %s: go %s: goroutine started twice", p.Name, c.Gs[in.Arg].Name)
				}
				spawned[in.Arg] = true
			case OpPark, OpReady:
				if in.Arg < 0 || in.Arg >= MaxObj {
					return badG(gi, ii, "g %s: %s %d: wait objects are 0..%d", p.Name, in.Op, in.Arg, MaxObj-1)
				}
			case OpNetwait:
				if !c.Netpoll {
					return badG(gi, ii, "g %s: netwait needs the netpoll feature", p.Name)
				}
			case OpSleep:
				if !c.Timers {
					return badG(gi, ii, "g %s: sleep needs the timers feature", p.Name)
				}
			case OpGC:
				switch {
				case !c.STW:
					return badG(gi, ii, "g %s: gc needs the stw feature", p.Name)
				case c.Forcegc:
					// worldsema is not modelled: one goroutine stops the world.
					return badG(gi, ii, "g %s: gc with the forcegc feature: forcegc's helper already runs the GC, and the model has one stopper (worldsema is not modelled)", p.Name)
				case gcBy >= 0 && gcBy != gi:
					return badG(gi, ii, "g %s: gc in two goroutines (%s and %s): the model has one stopper (worldsema is not modelled)", p.Name, c.Gs[gcBy].Name, p.Name)
				}
				gcBy = gi
			case OpLock, OpUnlock:
				if !c.Locked {
					return badG(gi, ii, "g %s: %s needs the locked feature", p.Name, in.Op)
				}
				if in.Op == OpLock && locked {
					// World.LockedG says whether m.lockedExt is
					// nonzero, not how many calls are open.
					return badG(gi, ii, "g %s: lockosthread while locked: the model's lockedExt is one bit (no nesting)", p.Name)
				}
				locked = in.Op == OpLock
			}
		}
	}
	for gi := 1; gi < len(c.Gs); gi++ {
		if !spawned[gi] {
			return badG(gi, -1, "g %s is never started by a go instruction", c.Gs[gi].Name)
		}
	}
	for _, b := range c.Bugs {
		if _, ok := bugByName[b]; !ok {
			return bad("bugs", "unknown bug switch %q (known: %s)", b, strings.Join(BugNames(), ", "))
		}
	}
	return nil
}

// ng is the number of Gs: the user goroutines plus forcegc's helper.
func (c *Config) ng() int {
	if c.Forcegc {
		return len(c.Gs) + 1
	}
	return len(c.Gs)
}

// nm is the number of M slots: the workers and sysmon.
func (c *Config) nm() int {
	if c.Sysmon {
		return c.Ms + 1
	}
	return c.Ms
}

// sysmonM is sysmon's M index (m1, started by runtime.main right after m0),
// or -1.
func (c *Config) sysmonM() int {
	if c.Sysmon {
		return 1
	}
	return -1
}

func (c *Config) go114() bool { return c.Profile == ProfileGo114 }

// Has reports whether bug switch name is on.
func (c *Config) Has(name string) bool {
	for _, b := range c.Bugs {
		if b == name {
			return true
		}
	}
	return false
}

// featureNames are the feature toggles by their workload-file names.
var featureNames = []string{"sysmon", "netpoll", "forcegc", "timers", "stw", "gcwork", "locked"}

func (c *Config) features() []*bool {
	return []*bool{&c.Sysmon, &c.Netpoll, &c.Forcegc, &c.Timers, &c.STW, &c.GCWork, &c.Locked}
}

// world reports whether State.World is part of the state: one of the
// garbage collector's features is on.
func (c *Config) world() bool { return c.STW || c.GCWork || c.Locked }

// SetFeatures turns on exactly the named features (workload-file names:
// sysmon, netpoll, forcegc, timers, stw, gcwork, locked) and turns off the others.
func (c *Config) SetFeatures(names []string) error {
	on := make([]bool, len(featureNames))
	for _, n := range names {
		i := slices.Index(featureNames, n)
		if i < 0 {
			return fmt.Errorf("unknown feature %q (known: %s)", n, strings.Join(featureNames, " "))
		}
		on[i] = true
	}
	for i, f := range c.features() {
		*f = on[i]
	}
	return nil
}

// Features lists c's feature toggles that are on, by their workload-file
// names, in file order.
func (c *Config) Features() []string {
	var f []string
	for i, on := range c.features() {
		if *on {
			f = append(f, featureNames[i])
		}
	}
	return f
}

// String is a one-line summary of c.
func (c *Config) String() string {
	f := c.Features()
	prof := c.Profile
	if prof == "" {
		prof = ProfileGo126
	}
	s := fmt.Sprintf("%s: GOMAXPROCS=%d Ms=%d runq=%d Gs=%d profile=%s features=%s",
		c.Name, c.GOMAXPROCS, c.Ms, c.RunqSize, len(c.Gs), prof, strings.Join(f, ","))
	if len(c.Bugs) > 0 {
		b := append([]string(nil), c.Bugs...)
		sort.Strings(b)
		s += " bugs=" + strings.Join(b, ",")
	}
	return s
}
