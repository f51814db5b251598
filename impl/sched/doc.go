// Package sched is an executable twin of the Go runtime's M:N scheduler
// (Go 1.26.8's runtime/proc.go), small enough to read beside the source
// and the spec (package spec), tied to the spec both ways by the tests in
// spec/twin_sched_test.go.
//
// # What runs
//
// Ms are goroutines locked to their OS threads (runtime.LockOSThread); an
// idle M sleeps in a real futex on its park note (impl/note); each P has
// the lock-free local run queue and runnext of impl/runq; sched.lock is a
// mutex an M blocks on; nmspinning, needspinning, npidle, lastpoll and the
// statuses are atomics. The functions keep the runtime's names and control
// flow, each citing the lines it follows: schedule, findRunnable (fairness,
// runqget, the global queue, a netpoll-like source, the spinning gate,
// stealWork, dropping the P, the "Delicate dance" with needspinning and
// checkRunqsNoP, the blocking poll), stopm and mPark, startm with
// mReserveID and newm, mstart1 and mspinning, wakep, handoffp, ready,
// runqput and runqputslow, injectglist, entersyscall and exitsyscall
// (setBlockOnExitSyscall, takeP, exitsyscallTryGetP, exitsyscallNoP),
// sysmon (deep sleep on sysmonnote, netpoll, retake with its incidlelocked
// brackets, preemptone, forcegc) and checkdead. Where the runtime throws,
// the twin ends the run with the runtime's message (Result.Throw).
//
// Tasks are the Gs. A program task interprets the spec's instructions (go,
// park, ready, syscall, gosched, compute, netwait, exit) on its M; a func
// task is a Go func on a goroutine of its own that asks its M for what it
// needs (Task.Go, Park, Ready, Gosched, Yield, Syscall), and the M does the
// runtime's part on its thread (task.go). A system call is a real blocking
// call on the M's thread (a nanosleep, or the task's function: a pipe read
// in the benchmarks).
//
// # Steps
//
// The code is cut at the spec's step boundaries. Each spec step (one
// access to shared memory, or one critical section under sched.lock, whose
// acquisition is a step of its own) is one stretch of the twin's code that
// begins with a step point, mp.step("label"), named with the spec's label
// (steps[pc].name in spec/exec.go), and runs until the M's next step point.
// Steps inside impl/runq's operations begin at its Sites (harness.go,
// runqSite). A step that the spec enables only under a condition is taken
// with mp.stepWhen: the lock steps (lockSched, enabled while the lock is
// free), exitsyscall's CAS (while the scan bit is clear), a wait object's
// lock. Where the spec has a choice (which victim, "10ms have passed",
// schedtick%61, which waiter), the twin calls mp.decide, which numbers the
// choices as the spec does.
//
// In ModeRun the step points are a nil check: the scheduler runs freely,
// with its own timing and the runtime's heuristics for each decision. In
// ModeLog every step holds one global step lock, so steps are atomic with
// respect to each other exactly as the spec's are; an M never blocks
// holding it (it lets go before a futex sleep, a system call, user code; a
// step whose guard is false lets go unlogged and tries again). At the end
// of each step the twin logs an Event: the M, the label, the choice, and a
// Snapshot of every shared field the spec's State holds. In ModeControl
// every step waits for a Controller, which names the M that moves next and
// the choice it makes: a counterexample of the spec replays on the running
// code, and Controller.Release lets the Ms run on freely from the state it
// led them to.
//
// # What the twin leaves out, and where it departs from proc.go
//
// Timers, GC (workers, assists, stop-the-world), locked Gs and Ms, cgo,
// traces, GOMAXPROCS changes and the go1.14 profile are out, as are the
// forcegc helper's actual GC. The network poller is a netpoll-like source,
// not epoll: the environment (netEnv, or the Controller) makes a task's
// descriptor ready, netpoll returns the ready tasks in G order, and a
// blocking netpoll sleeps until one is ready. Where the spec abstracts, the
// twin follows the spec so that the two stay comparable: stealWork makes
// two passes (the spec's one plain pass for the runtime's first three,
// then the last), threads are bounded by Config.MaxM (startm keeps its
// reservation and waits for an idle M at the bound, as the spec's reserveM
// does; the runtime's bound is 10000), sysmon asks for the preemption of a
// program task only if it has a compute instruction ahead (the spec's
// reduction: no other task would ever see the request), and casgstatus
// throws on a G found in an unexpected status (the runtime's spins). impl/README.md
// lists the layout beside proc.go.
package sched
