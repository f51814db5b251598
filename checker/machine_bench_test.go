package checker

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkMachineScaling measures what a second core gives on this
// machine, apart from the checker: the same fixed work per goroutine, run
// by one goroutine and by two at once. Each op is every goroutine doing
// 1<<20 steps, so on a machine whose cores do not slow each other down
// workers=1 and workers=2 take the same time per op, and two workers'
// speed-up is 2 x (workers=1 ns/op) / (workers=2 ns/op). "alu" is
// arithmetic in registers; "reads-N" is dependent-free random reads in a
// table of N per goroutine, as the visited set's probes are. The checker's
// worker scaling (docs/performance.md) cannot beat what this reports.
//
//	go test ./checker -run '^$' -bench MachineScaling -count 5
func BenchmarkMachineScaling(b *testing.B) {
	const steps = 1 << 20
	for _, k := range []struct {
		name  string
		words int // table size in uint64s; 0 for arithmetic
	}{{"alu", 0}, {"reads-256KiB", 1 << 15}, {"reads-32MiB", 1 << 22}, {"reads-256MiB", 1 << 25}} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", k.name, workers), func(b *testing.B) {
				tables := make([][]uint64, workers)
				if k.words > 0 {
					for i := range tables {
						tables[i] = make([]uint64, k.words)
						for j := range tables[i] {
							tables[i][j] = uint64(j)
						}
					}
				}
				sinks := make([]uint64, workers*16) // a cache line each
				b.ResetTimer()
				for range b.N {
					var wg sync.WaitGroup
					for i := range workers {
						wg.Go(func() {
							if k.words == 0 {
								sinks[i*16] += machineALU(steps, uint64(i+1))
							} else {
								sinks[i*16] += machineReads(tables[i], steps, uint64(i+1))
							}
						})
					}
					wg.Wait()
				}
			})
		}
	}
}

// machineALU runs n rounds of xorshift and a multiply.
func machineALU(n int, x uint64) uint64 {
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		x *= 0x9e3779b97f4a7c15
	}
	return x
}

// machineReads sums n entries of tab (a power of two long) at xorshift
// positions: the addresses do not depend on the loads, so the misses
// overlap as the visited set's touched probes do.
func machineReads(tab []uint64, n int, x uint64) uint64 {
	var sum uint64
	mask := uint64(len(tab) - 1)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		sum += tab[x&mask]
	}
	return sum
}
