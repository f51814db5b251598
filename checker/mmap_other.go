//go:build !(linux || darwin || freebsd)

package checker

import "unsafe"

// Elsewhere the tables stay on the Go heap.

func mapWords(n int) ([]uint64, bool) { return nil, false }

func unmapWords(t []uint64) {}

func unsafeWords(p *uint64, n int) []uint64 { return unsafe.Slice(p, n) }
