//go:build linux

package note

import "testing"

// BenchmarkWakeupSleep measures a round trip between two goroutines over
// two notes: one op is ping.Wakeup, pong.Sleep, pong.Clear on this side
// and ping.Sleep, ping.Clear, pong.Wakeup on the other, so two wakeups, two
// sleeps and two clears. Each side clears its own note after its sleep
// returns and before it wakes the other side, so every Clear happens while
// no one sleeps on that note or wakes it. Compare runs with benchstat.
func BenchmarkWakeupSleep(b *testing.B) {
	var ping, pong Note
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range b.N {
			ping.Sleep()
			ping.Clear()
			if err := pong.Wakeup(); err != nil {
				panic("BenchmarkWakeupSleep: pong.Wakeup: " + err.Error())
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := ping.Wakeup(); err != nil {
			b.Fatalf("ping.Wakeup: %v", err)
		}
		pong.Sleep()
		pong.Clear()
	}
	b.StopTimer()
	<-done
}
