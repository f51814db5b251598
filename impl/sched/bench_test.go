package sched

import (
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Benchmarks: the workloads as func tasks on the twin in ModeRun,
// at 1, 2 and 4 Ps. Each iteration is one run of the workload; the metrics
// are tasks/s (tasks that ran to completion per second of wall time) and
// P-util, the Ps' busy share: the time their Ms ran user code over Ps x
// wall time. The machine's own GOMAXPROCS bounds the real parallelism: on
// a two-core machine four Ps share two cores.
//
//	go test ./impl/sched -run '^$' -bench . -count 6 | tee new.txt
//	benchstat new.txt

// spin burns about n microseconds of CPU.
func spin(n int) {
	start := time.Now()
	x := uint32(1)
	for time.Since(start) < time.Duration(n)*time.Microsecond {
		for i := 0; i < 50; i++ {
			x = x*1664525 + 1013904223
		}
	}
	sink.Store(x)
}

// runBench runs main on a fresh scheduler b.N times and reports the
// metrics; ops, if not empty, names the workload's own unit, of which a run
// does n (round trips, system calls), reported per second.
func runBench(b *testing.B, procs int, bugs []string, main func(*Task), ops string, n int) {
	b.Helper()
	var tasks, samples, stranded int64
	var wall, busy time.Duration
	for i := 0; i < b.N; i++ {
		s, err := New(Config{GOMAXPROCS: procs, Sysmon: true, Main: main, Bugs: bugs, Watchdog: time.Minute, Sample: 20 * time.Microsecond})
		if err != nil {
			b.Fatal(err)
		}
		r := s.Run()
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		tasks += r.Tasks
		wall += r.Wall
		busy += r.Busy
		samples += r.Samples
		stranded += r.Stranded
	}
	b.ReportMetric(float64(tasks)/wall.Seconds(), "tasks/s")
	if ops != "" {
		b.ReportMetric(float64(n*b.N)/wall.Seconds(), ops+"/s")
	}
	b.ReportMetric(float64(busy)/(float64(procs)*float64(wall)), "P-util")
	if samples > 0 {
		b.ReportMetric(float64(stranded)/float64(samples), "stranded")
	}
}

// fanOut: rounds in which main starts width tasks of work µs each, works
// as long itself, and waits for them all (fan-in on one object).
func fanOut(rounds, width, work int) func(*Task) {
	return func(t *Task) {
		done := t.NewObj()
		for r := 0; r < rounds; r++ {
			for i := 0; i < width; i++ {
				t.Go(func(t *Task) {
					spin(work)
					t.Ready(done)
				})
			}
			spin(work)
			for i := 0; i < width; i++ {
				t.Park(done)
			}
		}
	}
}

// pingPong: two tasks hand a token back and forth n times.
func pingPong(n int) func(*Task) {
	return func(t *Task) {
		ping, pong, done := t.NewObj(), t.NewObj(), t.NewObj()
		t.Go(func(t *Task) {
			for i := 0; i < n; i++ {
				t.Park(ping)
				t.Ready(pong)
			}
			t.Ready(done)
		})
		for i := 0; i < n; i++ {
			t.Ready(ping)
			t.Park(pong)
		}
		t.Park(done)
	}
}

// parallelSum: main splits a sum of n numbers into parts tasks and adds
// up their results.
func parallelSum(n, parts int) func(*Task) {
	data := make([]uint64, n)
	for i := range data {
		data[i] = uint64(i)
	}
	want := uint64(n) * uint64(n-1) / 2
	return func(t *Task) {
		done := t.NewObj()
		var total atomic.Uint64
		chunk := (n + parts - 1) / parts
		for p := 0; p < parts; p++ {
			lo, hi := p*chunk, min(n, (p+1)*chunk)
			t.Go(func(t *Task) {
				var s uint64
				for i := lo; i < hi; i++ {
					s += data[i]
					if i%4096 == 0 {
						t.Yield() // a preemption point
					}
				}
				total.Add(s)
				t.Ready(done)
			})
		}
		for p := 0; p < parts; p++ {
			t.Park(done)
		}
		if total.Load() != want {
			panic(fmt.Sprintf("parallel sum: %d, want %d", total.Load(), want))
		}
	}
}

// syscallHeavy: tasks that read from a pipe another task fills, in real
// blocking system calls on their Ms' threads, with some work between.
func syscallHeavy(tasks, reads int) func(*Task) {
	return func(t *Task) {
		done := t.NewObj()
		for i := 0; i < tasks; i++ {
			t.Go(func(t *Task) {
				var fds [2]int
				if err := syscall.Pipe(fds[:]); err != nil {
					panic(err)
				}
				r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
				defer r.Close()
				defer w.Close()
				t.Go(func(t *Task) {
					for j := 0; j < reads; j++ {
						spin(5)
						t.Syscall(func() { syscall.Write(fds[1], []byte{1}) })
					}
				})
				buf := make([]byte, 1)
				for j := 0; j < reads; j++ {
					t.Syscall(func() { syscall.Read(fds[0], buf) }) // blocks until the writer writes
					spin(5)
				}
				t.Ready(done)
			})
		}
		for i := 0; i < tasks; i++ {
			t.Park(done)
		}
	}
}

var procsList = []int{1, 2, 4}

func BenchmarkFanOut(b *testing.B) {
	for _, procs := range procsList {
		b.Run(fmt.Sprintf("P=%d", procs), func(b *testing.B) {
			runBench(b, procs, nil, fanOut(20, procs, 50), "", 0)
		})
	}
}

func BenchmarkPingPong(b *testing.B) {
	for _, procs := range procsList {
		b.Run(fmt.Sprintf("P=%d", procs), func(b *testing.B) {
			runBench(b, procs, nil, pingPong(2000), "roundtrips", 2000)
		})
	}
}

func BenchmarkParallelSum(b *testing.B) {
	for _, procs := range procsList {
		b.Run(fmt.Sprintf("P=%d", procs), func(b *testing.B) {
			runBench(b, procs, nil, parallelSum(1<<20, 4*procs), "", 0)
		})
	}
}

func BenchmarkSyscallHeavy(b *testing.B) {
	for _, procs := range procsList {
		b.Run(fmt.Sprintf("P=%d", procs), func(b *testing.B) {
			runBench(b, procs, nil, syscallHeavy(4, 200), "syscalls", 2*4*200)
		})
	}
}

// BenchmarkFanOutBugs runs the fan-out with the bug switches that lose
// work conservation, beside the correct twin, in one run.
func BenchmarkFanOutBugs(b *testing.B) {
	for _, procs := range []int{2, 4} {
		for _, bug := range []string{"none", "go1.17-recheck", "no-runq-recheck"} {
			var bugs []string
			if bug != "none" {
				bugs = []string{bug}
			}
			b.Run(fmt.Sprintf("P=%d/bug=%s", procs, bug), func(b *testing.B) {
				runBench(b, procs, bugs, fanOut(20, procs, 50), "", 0)
			})
		}
	}
}
