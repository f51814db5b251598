package sched

import "fmt"

// An Op is an instruction of a program task, as in the spec's workload
// files (spec/config.go), with the same numbering.
type Op uint8

const (
	OpGo      Op = iota + 1 // go N: newproc of task N
	OpPark                  // park K: gopark on wait object K, unless a wakeup is pending
	OpReady                 // ready K: goready one task parked on K, or leave a wakeup
	OpSyscall               // syscall: entersyscall, a real blocking system call, exitsyscall
	OpGosched               // gosched: runtime.Gosched
	OpCompute               // compute: a unit of CPU work; a preemption point
	OpNetwait               // netwait: block until the network poller reports the task's descriptor ready
	OpSleep                 // sleep: time.Sleep (timers are not in the twin: rejected by New)
	OpExit                  // exit: goexit (implicit at the end of a program)

	opForcegcHelper Op = 100 // forcegchelper's loop, the forcegc helper's only instruction
)

var opNames = map[Op]string{
	OpGo: "go", OpPark: "park", OpReady: "ready", OpSyscall: "syscall", OpGosched: "gosched",
	OpCompute: "compute", OpNetwait: "netwait", OpSleep: "sleep", OpExit: "exit",
	opForcegcHelper: "forcegchelper",
}

func (o Op) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return fmt.Sprintf("op%d", uint8(o))
}

// An Instr is one instruction of a program.
type Instr struct {
	Op  Op
	Arg int // OpGo: the task's index; OpPark, OpReady: the wait object
}

func (in Instr) String() string {
	switch in.Op {
	case OpGo, OpPark, OpReady:
		return fmt.Sprintf("%s %d", in.Op, in.Arg)
	}
	return in.Op.String()
}

// A Program is a task written as instructions: the spec's workload
// goroutines. Programs run once, top to bottom, and exit at the end.
// Program 0 is main; every other program is started by one go
// instruction.
type Program struct {
	Name string
	Code []Instr
}

// instr is what a task asks of its M next: a program's instruction, or a
// func task's request.
type instr struct {
	op   Op
	arg  int
	obj  *Obj        // park, ready (func tasks)
	fn   func(*Task) // go (func tasks)
	call func()      // syscall (func tasks): run on the M's thread
}
