package properties

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gmpspec/gmpspec/spec"
	"pgregory.net/rapid"
)

// Generators. Every size, flag and instruction is drawn from a rapid
// generator, never from math/rand, so that rapid can shrink them: a failing
// configuration shrinks towards fewer Ps, Ms and goroutines, shorter
// programs, fewer features and simpler instructions, and the schedule drawn
// after it shrinks with it.

// Bounds limit the configurations Config draws. The zero value of a field
// means the widest range the model allows.
type Bounds struct {
	MinP, MaxP       int // GOMAXPROCS (1..spec.MaxP)
	MinMs, MaxMs     int // worker Ms, m0 included (1..spec.MaxM-1: sysmon takes the last slot)
	MinGs, MaxGs     int // user goroutines, main included (1..spec.MaxG, less forcegc's helper)
	MinRunq, MaxRunq int // local run queue capacity (even, 2..spec.MaxRunq)
	MaxCode          int // instructions per goroutine, the go statements not counted (default 5)
	// SpareMs, if positive, makes Ms at least GOMAXPROCS+SpareMs (within
	// MaxMs): with fewer threads than Ps, startm waits at the model's thread
	// bound for an M to go idle (docs/model.md, "Threads are bounded"), and
	// a run that needs every M busy never ends. Properties that run a
	// workload to its end use a spare M.
	SpareMs int
	Profile string
	_       struct{}
}

// Small bounds: the whole range of the model, shrinking towards one P.
var Small = Bounds{}

// Large bounds are far beyond what the exhaustive checker can explore:
// at least 4 Ps, 8 Ms and 6 goroutines, a run queue of 4 or 6.
var Large = Bounds{MinP: 4, MinMs: 8, MinGs: 6, MinRunq: 4, MaxCode: 6}

func (b Bounds) norm() Bounds {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&b.MinP, 1)
	def(&b.MaxP, spec.MaxP)
	def(&b.MinMs, 1)
	def(&b.MaxMs, spec.MaxM-1)
	def(&b.MinGs, 1)
	def(&b.MaxGs, spec.MaxG)
	def(&b.MinRunq, 2)
	def(&b.MaxRunq, spec.MaxRunq)
	def(&b.MaxCode, 5)
	if b.Profile == "" {
		b.Profile = spec.ProfileGo126
	}
	return b
}

// Config returns a generator of valid configurations within b: the
// machine, the features and a random workload (see Workload). Bug switches
// and ExpectDeadlock are left for the caller.
func Config(b Bounds) *rapid.Generator[*spec.Config] {
	b = b.norm()
	return rapid.Custom(func(t *rapid.T) *spec.Config {
		c := &spec.Config{
			Name:       "random",
			GOMAXPROCS: rapid.IntRange(b.MinP, b.MaxP).Draw(t, "gomaxprocs"),
			RunqSize:   2 * rapid.IntRange(b.MinRunq/2, b.MaxRunq/2).Draw(t, "runq/2"),
			Profile:    b.Profile,
			Sysmon:     rapid.Bool().Draw(t, "sysmon"),
			Netpoll:    rapid.Bool().Draw(t, "netpoll"),
			Forcegc:    rapid.Bool().Draw(t, "forcegc"),
		}
		minMs := b.MinMs
		if b.SpareMs > 0 {
			minMs = max(minMs, min(c.GOMAXPROCS+b.SpareMs, b.MaxMs))
		}
		c.Ms = rapid.IntRange(minMs, b.MaxMs).Draw(t, "ms")
		if c.Netpoll {
			// Timers wait in the network poller (spec.Config.Validate).
			c.Timers = rapid.Bool().Draw(t, "timers")
		}
		if b.Profile != spec.ProfileGo114 {
			// The garbage collector's side follows Go 1.26 only here
			// (the go1.14 profile has stw, not drawn); mark work needs
			// stop-the-world.
			c.STW = rapid.Bool().Draw(t, "stw")
			if c.STW {
				c.GCWork = rapid.Bool().Draw(t, "gcwork")
			}
			c.Locked = rapid.Bool().Draw(t, "locked")
		}
		maxGs := b.MaxGs
		if c.Forcegc && maxGs > spec.MaxG-1 {
			maxGs = spec.MaxG - 1
		}
		minGs := min(b.MinGs, maxGs)
		c.Gs = Workload(c, minGs, maxGs, b.MaxCode).Draw(t, "workload")
		if c.STW && !c.Forcegc {
			// runtime.GC, from main only: the model has one stopper
			// (with forcegc, its helper runs the GCs).
			if n := rapid.IntRange(0, 2).Draw(t, "gcs"); n > 0 {
				code := c.Gs[0].Code
				for range n {
					at := rapid.IntRange(0, len(code)).Draw(t, "gc-at")
					code = append(code[:at:at], append([]spec.Instr{{Op: spec.OpGC}}, code[at:]...)...)
				}
				c.Gs[0].Code = code
			}
		}
		if b.SpareMs > 0 {
			// A locked goroutine holds its thread while it waits (its M
			// sleeps in stoplockedm) and takes it along when it exits
			// locked (mexit): each one that locks needs a thread beyond
			// the spare ones, or a run may never end at the thread
			// bound.
			unlockBeyond(c.Gs, c.Ms-c.GOMAXPROCS-b.SpareMs)
		}
		if err := c.Validate(); err != nil {
			// Workload is valid by construction; this is a bug here.
			panic(fmt.Sprintf("properties: generated an invalid configuration: %v\n%s", err, FormatWorkload(c)))
		}
		return c
	})
}

// The user instructions, simplest first: rapid shrinks a drawn instruction
// towards the front of the list. netwait and sleep are appended when the
// configuration has the network poller and timers, lockosthread and
// unlockosthread when it has locked threads. go is not drawn: the
// spawn tree places the go statements (see Workload).
var baseOps = []spec.Op{spec.OpCompute, spec.OpGosched, spec.OpSyscall, spec.OpReady, spec.OpPark, spec.OpExit}

// Workload returns a generator of goroutine programs for configuration c's
// features: between minGs and maxGs goroutines (main first), each with up
// to maxCode instructions drawn from the instruction set, and a spawn tree
// that starts every goroutine but main exactly once, from a goroutine with
// a smaller index, at a drawn position in its program. The programs pass
// spec.Config.Validate by construction. Wait objects are drawn from
// 0..spec.MaxObj-1, shrinking towards 0, so a shrunk workload tends to use
// one object.
func Workload(c *spec.Config, minGs, maxGs, maxCode int) *rapid.Generator[[]spec.Program] {
	ops := append([]spec.Op(nil), baseOps...)
	if c.Netpoll {
		ops = append(ops, spec.OpNetwait)
	}
	if c.Timers {
		ops = append(ops, spec.OpSleep)
	}
	if c.Locked {
		ops = append(ops, spec.OpLock, spec.OpUnlock)
	}
	// Each goroutine is one element of a rapid slice, so that the shrinker
	// can delete a goroutine with everything drawn for it: its program and
	// where its parent starts it.
	type block struct {
		code       []spec.Instr
		parent, at int
	}
	blockGen := rapid.Custom(func(t *rapid.T) block {
		var b block
		k := rapid.IntRange(0, maxCode).Draw(t, "len")
		for range k {
			in := spec.Instr{Op: rapid.SampledFrom(ops).Draw(t, "op")}
			if in.Op == spec.OpPark || in.Op == spec.OpReady {
				in.Arg = rapid.IntRange(0, spec.MaxObj-1).Draw(t, "obj")
			}
			b.code = append(b.code, in)
		}
		// The model's lockedExt is one bit: a lockosthread while
		// locked is dropped (Config.Validate rejects nesting).
		locked := false
		code := b.code[:0]
		for _, in := range b.code {
			if in.Op == spec.OpLock && locked {
				continue
			}
			if in.Op == spec.OpLock || in.Op == spec.OpUnlock {
				locked = in.Op == spec.OpLock
			}
			code = append(code, in)
		}
		b.code = code
		// Reduced modulo the goroutine's index and its parent's
		// length below; both shrink towards main's first instruction.
		b.parent = rapid.IntRange(0, spec.MaxG-1).Draw(t, "parent")
		b.at = rapid.IntRange(0, 2*maxCode).Draw(t, "at")
		return b
	})
	return rapid.Custom(func(t *rapid.T) []spec.Program {
		bs := rapid.SliceOfN(blockGen, minGs, maxGs).Draw(t, "goroutines")
		gs := make([]spec.Program, len(bs))
		for g, b := range bs {
			gs[g] = spec.Program{Name: gName(g), Code: b.code}
		}
		// The spawn tree: goroutine g is started by a goroutine with a
		// smaller index, so every goroutine is reachable from main.
		for g := 1; g < len(bs); g++ {
			parent := bs[g].parent % g
			code := gs[parent].Code
			at := min(bs[g].at, len(code))
			code = append(code[:at:at], append([]spec.Instr{{Op: spec.OpGo, Arg: g}}, code[at:]...)...)
			gs[parent].Code = code
		}
		return gs
	})
}

// unlockBeyond removes the lockosthread and unlockosthread instructions of
// every goroutine after the first n that lock.
func unlockBeyond(gs []spec.Program, n int) {
	for g := range gs {
		if !slices.ContainsFunc(gs[g].Code, func(in spec.Instr) bool { return in.Op == spec.OpLock }) {
			continue
		}
		if n > 0 {
			n--
			continue
		}
		gs[g].Code = slices.DeleteFunc(slices.Clone(gs[g].Code), func(in spec.Instr) bool {
			return in.Op == spec.OpLock || in.Op == spec.OpUnlock
		})
	}
}

func gName(g int) string {
	if g == 0 {
		return "main"
	}
	return fmt.Sprintf("g%d", g)
}

// FormatWorkload renders c in the workload file format of
// spec.ParseWorkload, so that a failing configuration can be saved and
// checked with gmpcheck.
func FormatWorkload(c *spec.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gomaxprocs %d\nms %d\nrunq %d\n", c.GOMAXPROCS, c.Ms, c.RunqSize)
	if c.Profile != "" {
		fmt.Fprintf(&b, "profile %s\n", c.Profile)
	}
	if f := c.Features(); len(f) > 0 {
		fmt.Fprintf(&b, "features %s\n", strings.Join(f, " "))
	}
	if c.ExpectDeadlock {
		b.WriteString("expect deadlock\n")
	}
	if len(c.Bugs) > 0 {
		fmt.Fprintf(&b, "bugs %s\n", strings.Join(c.Bugs, " "))
	}
	for _, p := range c.Gs {
		fmt.Fprintf(&b, "\ng %s\n", p.Name)
		for _, in := range p.Code {
			if in.Op == spec.OpGo {
				fmt.Fprintf(&b, "\tgo %s\n", c.Gs[in.Arg].Name)
				continue
			}
			fmt.Fprintf(&b, "\t%s\n", in)
		}
	}
	return b.String()
}
