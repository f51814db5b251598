//go:build linux

package note

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// ErrDoubleWakeup is what Wakeup returns when the note was already woken.
//
// The runtime throws here ("notewakeup - double wakeup", lock_futex.go:28-31),
// and the spec records the same event as throwDoubleWakeup, whose invariant
// is "throw-no-double-wakeup" (spec/throws.go). The twin returns an error
// instead, so that a test harness can observe a double wakeup, count it and
// put it in a history for porcupine; a throw would end the test binary.
var ErrDoubleWakeup = errors.New("notewakeup - double wakeup")

// A Bug is a set of bug switches. Each switch breaks one rule of the note
// protocol at the place the runtime's code enforces it, so that the tests
// can show their checks catching it (note_test.go, "Bug switches"). The
// names follow the spec's kebab-case switch names (spec/bugs.go).
type Bug uint8

const (
	// BugWakeupNoFutexwakeup: Wakeup sets the key but never calls
	// futexwakeup (it drops lock_futex.go:32). A sleeper that is already
	// in the kernel is not told, and sleeps forever: a lost wakeup.
	BugWakeupNoFutexwakeup Bug = 1 << iota

	// BugWakeupLoadStore: Wakeup tests the key with a load and sets it
	// with a separate store, instead of one Xchg (lock_futex.go:27). Two
	// concurrent wakers can both load 0 and both succeed, so the double
	// wakeup goes undetected. The switch yields between the load and the
	// store (runtime.Gosched) to widen a window that is otherwise a few
	// instructions wide: the yield changes how often the race is met, not
	// what it is. (Without it, 100,000 rounds of TestBugWakeupLoadStore's
	// plan on a two-CPU machine never met the race.)
	BugWakeupLoadStore

	// BugSleepNoRecheck: Sleep tests the key once, sleeps once, and
	// returns, instead of looping until the key is set
	// (lock_futex.go:45-52). A spurious wakeup then ends the sleep before
	// anyone called Wakeup.
	BugSleepNoRecheck
)

var bugNames = [...]string{"wakeup-no-futexwakeup", "wakeup-load-store", "sleep-no-recheck"}

// String returns the switches' names separated by commas, or "none".
func (b Bug) String() string {
	if b == 0 {
		return "none"
	}
	var names []string
	for i, name := range bugNames {
		if b&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// A Note is a one-shot notification over a futex: the twin of the
// runtime's note (note_other.go:29-33) as lock_futex.go implements it. Its
// zero value is a cleared note with no bug switches.
//
// Protocol (note_other.go:9-26; see "The note protocol" in doc.go): at
// most one thread sleeps on a note (Sleep or TSleep), at most one wakes it
// (Wakeup), and its owner clears it (Clear) only when no one is sleeping
// on it or waking it.
//
// A Note must not be copied after first use: the kernel knows it by
// address.
type Note struct {
	// key is the futex word: 0 while the note is clear, 1 once it has
	// been woken. The runtime's note.key is a uintptr used as a uint32
	// (key32, lock_futex.go:14-19); here it is a uint32 from the start.
	// The spec's counterpart is spec.M.Park (spec/state.go).
	// Invariant: key is 0 or 1.
	key atomic.Uint32

	// bugs is fixed by NewNote before the note is shared.
	bugs Bug
}

// NewNote returns a cleared note with the given bug switches; NewNote(0)
// is the same as a zero Note.
func NewNote(bugs Bug) *Note {
	return &Note{bugs: bugs}
}

// key32 is the key's address as the kernel sees it, as runtime.key32
// (lock_futex.go:14-19) turns &note.key into a *uint32. atomic.Uint32 is
// a zero-size noCopy followed by its uint32, so the word is at offset 0
// (TestKey32 checks it).
func (n *Note) key32() *uint32 {
	return (*uint32)(unsafe.Pointer(&n.key))
}

// Clear resets the note, so that it can be slept on and woken again.
//
// Follows runtime.noteclear (lock_futex.go:22-24). Executed only by the
// note's owner, and only while no one sleeps on the note or wakes it: the
// contract in note_other.go:9-26 allows noteclear only after the previous
// notesleep has returned ("it's disallowed to call noteclear straight after
// notewakeup"), and after a timed-out notetsleep only once no waker can
// still be running. mPark sleeps and then clears (proc.go:1965-1969); the
// spec merges the two into one step, "mPark", which sets Park back to 0
// (spec/step_mstate.go).
func (n *Note) Clear() {
	// The runtime's store is plain: whatever let the owner know that
	// the note is quiescent (a lock, the sleep itself) orders it. The
	// twin's store is atomic (sequentially consistent) only so that the
	// race detector, which cannot see that argument, stays quiet.
	n.key.Store(0)
}

// Woken reports whether the note has been woken and not cleared since: its
// key word, the value the spec keeps as spec.M.Park. It is one atomic load,
// for a caller that reads the note's state while no one can change it
// (impl/sched's snapshots, taken under its step lock); at any other time
// the answer may be stale when it returns.
func (n *Note) Woken() bool {
	return n.key.Load() != 0
}

// Wakeup wakes the note's sleeper, if any, and makes any later Sleep or
// TSleep return at once. It returns ErrDoubleWakeup, and leaves the note
// woken, if the note was woken already.
//
// Follows runtime.notewakeup (lock_futex.go:26-33). Executed by at most one
// waker per clear; the spec's step is exec.notewakeup (spec/prims.go),
// called from "startm.notewakeup".
func (n *Note) Wakeup() error {
	var old uint32
	if n.bugs&BugWakeupLoadStore != 0 {
		old = n.key.Load()
		if old == 0 {
			runtime.Gosched()
			n.key.Store(1)
		}
	} else {
		// Xchg, sequentially consistent (lock_futex.go:27): of any
		// number of concurrent wakers exactly one reads 0. The store
		// also happens before the futexwakeup below, so a sleeper that
		// the kernel has not yet queued will find the key set when the
		// kernel re-checks it.
		old = n.key.Swap(1)
	}
	if old != 0 {
		// lock_futex.go:28-31: the runtime prints old and throws.
		return ErrDoubleWakeup
	}
	if n.bugs&BugWakeupNoFutexwakeup != 0 {
		return nil
	}
	futexwakeup(n.key32(), 1) // lock_futex.go:32
	return nil
}

// Sleep returns once the note has been woken, at once if it already was.
//
// Follows runtime.notesleep (lock_futex.go:35-53), without its g0 check
// (there is no g0 here), its cgo_yield polling interval and its m.blocked
// flag (read on Linux only by schedtrace's scheddetail output). Executed
// by the note's one sleeper. Its spec counterpart is the guard of the
// "mPark" step, enabled only when Park != 0 (spec/step_mstate.go).
func (n *Note) Sleep() {
	if n.bugs&BugSleepNoRecheck != 0 {
		if n.key.Load() == 0 {
			futexsleep(n.key32(), 0, -1)
		}
		return
	}
	// Load, sequentially consistent (lock_futex.go:45); it pairs with
	// Wakeup's Xchg. futexsleep may return spuriously, or with EAGAIN
	// because the key changed between this load and the kernel's check,
	// or (on a timed wait; not here) EINTR: in every case the loop loads
	// the key again and sleeps again if it is still 0.
	for n.key.Load() == 0 {
		futexsleep(n.key32(), 0, -1) // lock_futex.go:47
	}
}

// TSleep is Sleep with a timeout: it returns true if the note was woken,
// false if d passed first. d < 0 means no timeout; d == 0 still sleeps
// once in the kernel, with a zero timeout, unless the note is already
// woken.
//
// Follows runtime.notetsleep (lock_futex.go:106-113), whose only addition
// to notetsleep_internal is a g0 check.
func (n *Note) TSleep(d time.Duration) bool {
	return n.tsleepInternal(int64(d))
}

// tsleepInternal follows runtime.notetsleep_internal (lock_futex.go:60-104),
// line by line except for cgo_yield and m.blocked (see Sleep).
func (n *Note) tsleepInternal(ns int64) bool {
	if ns < 0 {
		// lock_futex.go:63-77: notesleep's loop, duplicated.
		for n.key.Load() == 0 {
			futexsleep(n.key32(), 0, ns)
		}
		return true
	}

	if n.key.Load() != 0 { // lock_futex.go:79-81
		return true
	}

	// lock_futex.go:83-102. The deadline is absolute; each futexsleep is
	// given what remains of it, so a spurious wakeup or an EINTR costs
	// one more trip round the loop, never a longer or a shorter sleep.
	// The loop leaves either with the key set or with now >= deadline.
	deadline := nanotime() + ns
	for {
		futexsleep(n.key32(), 0, ns)
		if n.key.Load() != 0 {
			break
		}
		now := nanotime()
		if now >= deadline {
			break
		}
		ns = deadline - now
	}
	// lock_futex.go:103: one more load, so a wakeup that lands between
	// the deadline check and here still counts.
	return n.key.Load() != 0
}

// epoch anchors nanotime. time.Since reads the monotonic clock, as the
// runtime's nanotime does (CLOCK_MONOTONIC through the vDSO).
var epoch = time.Now()

// nanotime returns monotonic nanoseconds since epoch.
func nanotime() int64 {
	return int64(time.Since(epoch))
}
