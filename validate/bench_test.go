package validate

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
)

// benchTrace is a large real trace: 20 rounds of 10,000 goroutines that
// compute, meet on a channel and exit, at GOMAXPROCS 4 (about 600,000
// events).
var benchTrace = sync.OnceValue(func() []byte {
	return traceOf(&testing.B{}, 4, func() {
		var wg sync.WaitGroup
		ch := make(chan int, 16)
		for r := 0; r < 20; r++ {
			for i := 0; i < 10000; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ch <- work(1000)
					<-ch
				}()
			}
			wg.Wait()
		}
	})
})

// BenchmarkValidate measures the whole run: reading the trace with
// golang.org/x/exp/trace and checking it. events/s is per core: the run
// is sequential.
func BenchmarkValidate(b *testing.B) {
	data := benchTrace()
	var events int64
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Run(context.Background(), bytes.NewReader(data), Options{})
		if err != nil || res.Rejection != nil {
			b.Fatal(err, res.Rejection)
		}
		events = res.Events
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events), "events/op")
}

// BenchmarkRead is the reader alone: what golang.org/x/exp/trace costs,
// for comparison.
func BenchmarkRead(b *testing.B) {
	data := benchTrace()
	var events int64
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := newReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		events = 0
		for {
			_, err := r.next()
			if err != nil {
				break
			}
			events++
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMemory reports the validator's live heap after a run, per
// event of the trace.
func BenchmarkMemory(b *testing.B) {
	data := benchTrace()
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		v := NewValidator(Options{})
		r, _ := newReader(bytes.NewReader(data))
		for {
			ev, err := r.next()
			if err != nil {
				break
			}
			v.Event(&ev)
		}
		v.Finish()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(v.res.Events), "live-B/event")
		b.ReportMetric(float64(v.res.Goroutines), "goroutines")
		runtime.KeepAlive(v)
	}
}
