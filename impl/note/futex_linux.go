//go:build linux

package note

import (
	"syscall"
	"unsafe"
)

// Linux futex, as the runtime uses it (os_linux.go:43-99, go1.26.8).
//
// futexsleep(addr, val, ns) asks the kernel to put the thread to sleep on
// addr if, and only if, *addr still holds val when the kernel looks; the
// comparison and the enqueueing happen under the kernel's futex hash-bucket
// lock, so a FUTEX_WAKE that follows a store to *addr cannot fall between
// them. That atomic re-check is the whole reason a note can be built from
// a plain word: see "Lost wakeups" in doc.go.
//
// futexsleep may return for no reason at all ("Futexsleep is allowed to
// wake up spuriously", os_linux.go:50), and its callers loop. The runtime
// ignores the return value altogether, because some kernels leaked internal
// error codes (os_linux.go:67-71); the twin does the same, so EAGAIN (the
// key was no longer val), EINTR (a signal handler ran during a timed wait)
// and ETIMEDOUT all look alike to the loops in note_linux.go, as they do to
// notesleep and notetsleep_internal.
//
// The twin reaches the kernel through syscall.Syscall6, which brackets the
// call with entersyscall/exitsyscall so that the goroutine's P can be
// handed to another M while the thread sleeps. The runtime calls futex
// directly from g0 with no such bracket (notesleep runs on g0, which owns
// no P worth handing off); notetsleepg is the variant that brackets it, with
// entersyscallblock. See "What is left out" in doc.go.

// Futex operations (os_linux.go:52-56). PRIVATE: the word is not shared
// with another process, so the kernel may key its wait queue by the
// virtual address alone.
const (
	_FUTEX_PRIVATE_FLAG = 128
	_FUTEX_WAIT_PRIVATE = 0 | _FUTEX_PRIVATE_FLAG
	_FUTEX_WAKE_PRIVATE = 1 | _FUTEX_PRIVATE_FLAG
)

// futexsleep sleeps on addr if *addr == val, for at most ns nanoseconds;
// ns < 0 means no timeout. It may return early, spuriously.
//
// Follows runtime.futexsleep (os_linux.go:58-80). The timeout is relative
// (FUTEX_WAIT measures it on CLOCK_MONOTONIC) and travels as a timespec
// built like timespec.setNsec (defs_linux_amd64.go:104-107). Its errno is
// ignored, as the runtime ignores futex's return value.
func futexsleep(addr *uint32, val uint32, ns int64) {
	if ns < 0 {
		syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), _FUTEX_WAIT_PRIVATE, uintptr(val), 0, 0, 0)
		return
	}
	ts := syscall.NsecToTimespec(ns)
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), _FUTEX_WAIT_PRIVATE, uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// futexwakeup wakes at most cnt threads sleeping on addr.
//
// Follows runtime.futexwakeup (os_linux.go:82-99). FUTEX_WAKE returns the
// number of threads woken, zero included; an error means addr is bad, and
// the runtime then crashes on purpose by storing to address 0x1006 (after
// noting that EAGAIN or EINTR, if they were possible, could be retried).
// The twin panics instead.
func futexwakeup(addr *uint32, cnt uint32) {
	_, _, errno := syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), _FUTEX_WAKE_PRIVATE, uintptr(cnt), 0, 0, 0)
	if errno != 0 {
		panic("futexwakeup: " + errno.Error())
	}
}
