//go:build linux || darwin || freebsd

package checker

import (
	"syscall"
	"unsafe"
)

// mapWords maps n zeroed words of anonymous memory.
func mapWords(n int) ([]uint64, bool) {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), true
}

// unmapWords unmaps a table that mapWords returned, whole.
func unmapWords(t []uint64) {
	syscall.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(&t[0])), len(t)*8))
}

func unsafeWords(p *uint64, n int) []uint64 { return unsafe.Slice(p, n) }
