// Package note is an executable twin of the Go runtime's one-shot
// notification, the note, as lock_futex.go implements it over a Linux futex
// (Go 1.26.8: noteclear at lock_futex.go:22, notewakeup at 26, notesleep at
// 35, notetsleep_internal at 60, notetsleep at 106, notetsleepg at 117;
// futexsleep and futexwakeup at os_linux.go:58-99). Each method keeps the
// runtime's control flow and cites the lines it follows, and the tests check
// its concurrent histories for linearizability with porcupine against a
// sequential model of a note.
//
// The spec (package spec) models the same notes as data: a note is its key
// word (spec.M.Park for an M's park note), notewakeup is exec.notewakeup
// (spec/prims.go), and a double wakeup is the throw behind the
// invariant "throw-no-double-wakeup" (spec/throws.go). This package does
// not import the spec; its comments say where the two correspond.
//
// # The note protocol
//
// A note is a word that goes from 0 (clear) to 1 (woken) once. The runtime
// states the contract in note_other.go:9-26: before use, noteclear; then
// exactly one thread may sleep on the note and exactly one may wake it,
// once; once notewakeup has been called, notesleep returns, and any later
// notesleep returns at once; and noteclear may be called again only after
// the previous notesleep has returned, or, after a notetsleep that timed
// out, only once no waker can still be running. The runtime's notes are
// M-to-M doorbells: an idle M sleeps on m.park, and the one thread that
// takes it off sched.midle under sched.lock wakes it (startm, proc.go:3121);
// sysmon sleeps on sched.sysmonnote with a timeout (proc.go:6542).
//
// The twin keeps the contract and turns one part of it into a result: a
// second Wakeup returns ErrDoubleWakeup where the runtime throws, so that a
// test can see it. Clear is the owner's, and the tests call it only between
// rounds, when every sleeper and waker of the round has returned.
//
// # Lost wakeups
//
// A sleeper that loads key == 0 and then goes to sleep could miss a
// wakeup that sets the key between the load and the sleep. A futex closes
// the gap in the kernel: FUTEX_WAIT sleeps only if the word still holds
// the expected value when the kernel, holding the lock of the word's wait
// queue, looks at it, and FUTEX_WAKE takes the same lock. So either the
// waker's store comes first and the sleeper's FUTEX_WAIT returns EAGAIN at
// once, or the sleeper is queued first and the waker's FUTEX_WAKE finds it.
// This is why notewakeup must set the key before it calls futexwakeup,
// and why it must call futexwakeup at all even though it cannot know
// whether anyone sleeps: the bug switch BugWakeupNoFutexwakeup leaves a
// sleeper that was already queued asleep for ever.
//
// # Spurious wakeups
//
// futexsleep "is allowed to wake up spuriously" (os_linux.go:50), so every
// caller loops on the key. Returns that are not wakeups come from EAGAIN
// (the key changed before the kernel looked: the good case), from a
// FUTEX_WAKE meant for an earlier user of the same word, from EINTR, and
// from the timeout. On Linux, with Go's signal handlers installed with
// SA_RESTART, an untimed FUTEX_WAIT interrupted by a signal is restarted by
// the kernel, which compares the word again, while a timed FUTEX_WAIT
// returns EINTR early; notetsleep_internal therefore re-sleeps for what is
// left of its deadline rather than for its whole timeout. The tests make
// spurious wakeups on purpose by calling futexwakeup on a note's word
// without setting it; the bug switch BugSleepNoRecheck (no loop) returns
// from Sleep on the first of them.
//
// # What porcupine checks
//
// note_test.go holds a sequential model whose state is the key (0 or 1).
// clear sets it to 0; wakeup sets it to 1 and reports "double" exactly when
// it was 1 already; sleep is legal only when the key is 1 and changes
// nothing; tsleep returns true only when the key is 1 and false only when
// it is 0. Each test round records, with monotonic timestamps, a Clear by
// the owner, one sleeper (Sleep, or TSleep with no timeout or one of 0 to
// 500µs) and zero to three concurrent wakers, with spurious futex wakes
// injected now and then; porcupine decides whether some order of the
// operations, each placed within its call and return, satisfies the model.
// A sleep that returns before any wakeup was called, or two wakers that
// both succeed, has no such order. Porcupine checks safety only: a Sleep
// that never returns is never in the history, so the tests bound each
// round's wait and report a hang separately.
//
// # What is left out
//
// notetsleepg (lock_futex.go:117-127) is notetsleep_internal bracketed by
// entersyscallblock and exitsyscall, for user goroutines; the twin has no
// Ps or Ms of its own to hand off, and its futex calls go through
// syscall.Syscall6, which enters and leaves a system call in the ordinary
// way. The g0 checks of notesleep and notetsleep, the cgo_yield polling
// interval and the m.blocked flag (which only schedtrace prints on Linux)
// are dropped. The semaphore implementation of notes (lock_sema.go: AIX,
// Darwin, NetBSD, OpenBSD, Plan 9, Solaris and Windows), in which the key
// holds the sleeping M, is not twinned.
//
// # Platforms
//
// The twin needs the futex system call, so every file but this one is
// built only on Linux (//go:build linux); elsewhere the package is empty
// and builds, with no tests, so that ./... keeps building everywhere.
package note
