package spec

// The step interpreter.
//
// Every M (sysmon included) runs a program of steps. M.PC names the step it
// takes next; a step is one atomic action of the runtime: one shared-memory
// access, or one critical section under sched.lock (taking the lock is a
// step of its own, and the only place an M blocks on it). Runtime functions
// that several places call (startm, wakep, ready, runqput, handoffp,
// injectglist, stopm, ...) are written once and called with a return step
// pushed on M.Ret; their arguments and locals live in the M's L* fields.
//
// Each step is a stepDef: a name (the runtime function and the phase, as in
// "findRunnable.dropP"), a function that performs it, and optionally a guard
// (enabled) and a number of nondeterministic choices. Choices stand for
// what the model does not represent: time ("10ms have passed"), which victim
// a thief tries next, which waiter a wakeup finds.

type pc uint8

type stepDef struct {
	name    string
	fn      func(x *exec)
	enabled func(x *exec) bool // nil: always
	choices func(x *exec) int  // nil: one
}

var steps [numPC]stepDef

func def(p pc, name string, fn func(x *exec)) *stepDef {
	steps[p] = stepDef{name: name, fn: fn}
	return &steps[p]
}

// blocks gives a step a guard.
func (d *stepDef) when(f func(x *exec) bool) *stepDef { d.enabled = f; return d }

// branches gives a step nondeterministic choices.
func (d *stepDef) branches(f func(x *exec) int) *stepDef { d.choices = f; return d }

// An exec is one step being taken.
type exec struct {
	s  *State
	c  *Config
	m  int
	mm *M
	ch int // the choice
}

func (x *exec) goTo(p pc) { x.mm.PC = uint8(p) }

// call runs function entry and comes back to ret.
func (x *exec) call(entry, ret pc) {
	mm := x.mm
	if int(mm.Depth) == MaxCall {
		panic("spec: call stack overflow at " + steps[entry].name)
	}
	mm.Ret[mm.Depth] = uint8(ret)
	mm.Depth++
	mm.PC = uint8(entry)
}

// ret returns from the current function.
func (x *exec) ret() {
	mm := x.mm
	mm.Depth--
	mm.PC = mm.Ret[mm.Depth]
	mm.Ret[mm.Depth] = 0
}

// lockDef defines a step that acquires sched.lock and goes on to next.
// Acquiring a lock is the only way an M blocks on it, so it is a step of its
// own; the critical section that follows is one step.
func lockDef(p pc, name string, next pc) {
	def(p, name, func(x *exec) {
		x.s.Sched.Lock = mref(x.m)
		x.goTo(next)
	}).when(func(x *exec) bool { return x.s.Sched.Lock == 0 })
}

// unlock releases sched.lock; releasing is merged into the step before it.
func (x *exec) unlock() {
	if x.s.Sched.Lock != mref(x.m) {
		panic("spec: " + steps[x.mm.PC].name + ": unlock of sched.lock not held by m" + itoa(x.m))
	}
	x.s.Sched.Lock = 0
}

// throw records a runtime throw; the state becomes terminal.
func (x *exec) throw(t throwCode) {
	if x.s.Throw == 0 {
		x.s.Throw = uint8(t)
		x.s.ThrowM = mref(x.m)
	}
}

// Locals.

func (x *exec) lp() int { return int(x.mm.LP) - 1 }
func (x *exec) lg() int { return int(x.mm.LG) - 1 }
func (x *exec) lm() int { return int(x.mm.LM) - 1 }
func (x *exec) flag(f uint16) bool {
	return x.mm.Flags&f != 0
}
func (x *exec) setFlag(f uint16, on bool) {
	if on {
		x.mm.Flags |= f
	} else {
		x.mm.Flags &^= f
	}
}

// clearLocals forgets every local, so that states that differ only in dead
// variables are one state.
func (x *exec) clearLocals() {
	mm := x.mm
	mm.LP, mm.LM, mm.LG, mm.LG2, mm.List, mm.List2, mm.N, mm.Delta, mm.Visited, mm.Flags = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	mm.Q, mm.QN = [MaxRunq]uint8{}, 0
}

// myP is the index of the M's P, or -1.
func (x *exec) myP() int { return int(x.mm.P) - 1 }

// curg is the index of the M's current G, or -1.
func (x *exec) curg() int { return int(x.mm.CurG) - 1 }

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
