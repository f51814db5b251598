package sched

import (
	"runtime"
	"sync/atomic"
)

// Func tasks.
//
// A func task is a Go func that runs as a G of the twin. The Ms are
// goroutines locked to their OS threads, and a goroutine cannot move onto
// another's locked thread, so a func task's code runs on a goroutine of its
// own: the M executing the task hands it the turn and waits until the task
// asks the runtime for something (Go, Park, Ready, Gosched, Yield,
// Syscall, or returning). The request is then carried out by the M, on
// the M's thread, with the same code as a program's instruction: the task
// is the user code, the M runs the runtime. A Syscall's function runs on
// the M's thread, between entersyscall and exitsyscall.

// A Task is a running func task: what its code calls to ask the runtime
// for something. Its methods must be called only by the task's own code.
type Task struct {
	s       *Sched
	g       *g
	fn      func(*Task)
	started bool
	in      instr // the request; written by the task before it signals req
	req     event // the task asked: the M's turn
	resume  event // the M is done: the task's turn
}

func newTask(s *Sched, gp *g, fn func(*Task)) *Task {
	return &Task{s: s, g: gp, fn: fn, req: newEvent(), resume: newEvent()}
}

// run lets the task's code run until its next request, and returns the
// request. It is called by the M executing the task.
func (t *Task) run() instr {
	if !t.started {
		t.started = true
		go t.body()
	} else {
		t.resume.signal()
	}
	t.req.wait(t.s.done, false, 50_000)
	return t.in
}

func (t *Task) body() {
	defer func() {
		if r := recover(); r != nil && r != errRunOver {
			panic(r)
		}
	}()
	t.fn(t)
	t.call(instr{op: OpExit})
}

// call hands a request to the M and waits for the turn to come back.
func (t *Task) call(in instr) {
	t.in = in
	t.req.signal()
	if in.op == OpExit {
		return
	}
	t.resume.wait(t.s.done, true, 200_000)
}

// An event hands the turn from one goroutine to another: the waiter spins
// a few microseconds, then sleeps on a channel. A goroutine locked to its
// thread (an M) that blocks on a channel costs two thread handoffs in the
// Go runtime, some microseconds each; the spin avoids them when the other
// side answers quickly.
type event struct {
	v  atomic.Int32 // 0 clear, 1 signalled, 2 the waiter sleeps
	ch chan struct{}
}

func newEvent() event { return event{ch: make(chan struct{}, 1)} }

func (e *event) signal() {
	if e.v.Swap(1) == 2 {
		e.ch <- struct{}{}
	}
}

func (e *event) wait(done <-chan struct{}, yield bool, spinNS int64) {
	start := nanotime()
	for i := 0; ; i++ {
		if e.v.CompareAndSwap(1, 0) {
			return
		}
		if yield {
			runtime.Gosched()
		}
		if i%16 == 15 && nanotime()-start > spinNS {
			break
		}
	}
	if e.v.CompareAndSwap(0, 2) {
		select {
		case <-e.ch:
		case <-done:
			panic(errRunOver)
		}
	}
	e.v.Store(0)
}

// Go starts a new task running f (newproc: it goes in runnext, and wakep
// wakes a P).
func (t *Task) Go(f func(*Task)) { t.call(instr{op: OpGo, fn: f}) }

// Park blocks the task on o until a Ready of o, unless a wakeup is
// pending (gopark).
func (t *Task) Park(o *Obj) { t.call(instr{op: OpPark, obj: o}) }

// Ready wakes a task parked on o, or leaves a wakeup (goready).
func (t *Task) Ready(o *Obj) { t.call(instr{op: OpReady, obj: o}) }

// Gosched yields the P (runtime.Gosched: the task goes on the global
// queue).
func (t *Task) Gosched() { t.call(instr{op: OpGosched}) }

// Yield is a preemption point: if sysmon asked for the task's preemption,
// the task yields as Gosched does; otherwise it goes on.
func (t *Task) Yield() { t.call(instr{op: OpCompute}) }

// Syscall runs f on the M's thread as a system call: between entersyscall
// and exitsyscall, so that sysmon may hand the P to another M while f
// blocks.
func (t *Task) Syscall(f func()) { t.call(instr{op: OpSyscall, call: f}) }

// NewObj returns a wait object for func tasks: any number of wakeups may
// be pending on it.
func (s *Sched) NewObj() *Obj { return &Obj{id: -1} }

// NewObj is s.NewObj for the task's scheduler.
func (t *Task) NewObj() *Obj { return t.s.NewObj() }

// taskG is the G an OpGo starts: a program's, or a new func task's.
func (mp *m) taskG(in instr) *g {
	s := mp.sched
	if in.fn == nil {
		return s.gs()[in.arg]
	}
	return s.allocg(in.fn)
}

// allocg returns a dead G for a new func task (gfget, or a new G).
func (s *Sched) allocg(fn func(*Task)) *g {
	s.allgmu.Lock()
	defer s.allgmu.Unlock()
	var gp *g
	if n := len(s.gfree); n > 0 {
		gp = s.gfree[n-1]
		s.gfree = s.gfree[:n-1]
	} else {
		gs := *s.allg.Load()
		gp = s.newg(len(gs))
		gp.atomicstatus.Store(_Gdead)
		gs = append(gs, gp)
		s.allg.Store(&gs)
	}
	gp.task = newTask(s, gp, fn)
	return gp
}

// gfput keeps a dead func task's G for reuse.
func (s *Sched) gfput(gp *g) {
	s.allgmu.Lock()
	s.gfree = append(s.gfree, gp)
	s.allgmu.Unlock()
}
