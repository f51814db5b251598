package runq

import (
	"fmt"
	"testing"
)

// BenchmarkPutGet measures one uncontended runqput followed by one runqget
// on a ring of the runtime's size (256), through the ring (next=false) and
// through runnext (next=true).
func BenchmarkPutGet(b *testing.B) {
	for _, next := range []bool{false, true} {
		b.Run(fmt.Sprintf("next=%t", next), func(b *testing.B) {
			s := NewSched(Config{Cap: 256})
			pp := s.NewP()
			for b.Loop() {
				pp.Put(1, next)
				if g, _ := pp.Get(); g != 1 {
					b.Fatalf("Get = %s, want g1", fmtG(g))
				}
			}
		})
	}
}

// BenchmarkSteal measures one uncontended runqsteal from a victim that
// holds n Gs in a ring of 256, together with what keeps the benchmark in a
// steady state: the thief's runqget of the Gs it stole, and the victim's
// runqputbatch of as many new ones. n-n/2 Gs move per iteration; ns/G is
// the time per G moved.
func BenchmarkSteal(b *testing.B) {
	for _, n := range []int{1, 32, 128, 256} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := NewSched(Config{Cap: 256})
			v, th := s.NewP(), s.NewP()
			refill := make([]G, n)
			for i := range refill {
				refill[i] = G(i + 1)
			}
			if rest := v.PutBatch(refill); len(rest) != 0 {
				b.Fatal("initial PutBatch did not fit")
			}
			k := n - n/2
			for b.Loop() {
				if g := th.Steal(v, false); g == 0 {
					b.Fatal("Steal found nothing")
				}
				for {
					if g, _ := th.Get(); g == 0 {
						break
					}
				}
				if rest := v.PutBatch(refill[:k]); len(rest) != 0 {
					b.Fatal("refill did not fit")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/G")
		})
	}
}
