package validate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Programs whose traces the tests validate. Each is a small real program
// exercising one part of the scheduler; run under runtime/trace at
// GOMAXPROCS 1, 2 and 4, every one of their traces must be explained by the
// model.
var programs = []struct {
	name string
	run  func()
}{
	{"pingpong", pingpong},
	{"fanout", fanout},
	{"parallel-sum", parallelSum},
	{"spawn-tree", spawnTree},
	{"gosched", goschedLoop},
	{"syscall-short", syscallShort},
	{"syscall-long", syscallLong},
	{"timers", timers},
	{"tcp-loopback", tcpLoopback},
	{"mutex", mutexContention},
	{"locked-thread", lockedThread},
	{"gc-pressure", gcPressure},
	{"preempt", preemptLoops},
	{"select-timeout", selectTimeout},
	{"gomaxprocs-change", gomaxprocsChange},
	{"coroutine", coroutine},
	{"afterfunc", afterFunc},
	{"mix", mix},
}

// pingpong: two goroutines hand a token back and forth over unbuffered
// channels (park, ready, runnext).
func pingpong() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < 2000; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}

// workSink keeps work's result alive, so the compiler cannot drop the loop.
var workSink atomic.Int64

func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	workSink.Add(int64(s))
	return s
}

// fanout: CPU work in many goroutines, results gathered over a channel
// (wakep, stealing, spinning Ms).
func fanout() {
	out := make(chan int)
	for i := 0; i < 64; i++ {
		go func() { out <- work(20000) }()
	}
	for i := 0; i < 64; i++ {
		<-out
	}
}

// parallelSum: a WaitGroup of workers over slices of an array.
func parallelSum() {
	data := make([]int, 1<<18)
	for i := range data {
		data[i] = i
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func(lo int) {
			defer wg.Done()
			s := 0
			for _, v := range data[lo : lo+len(data)/16] {
				s += v
			}
			total.Add(int64(s))
		}(c * len(data) / 16)
	}
	wg.Wait()
}

// spawnTree: goroutines that start goroutines (runqput, runq overflow to
// the global queue).
func spawnTree() {
	var wg sync.WaitGroup
	var spawn func(depth int)
	spawn = func(depth int) {
		defer wg.Done()
		if depth == 0 {
			work(100)
			return
		}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go spawn(depth - 1)
		}
	}
	wg.Add(1)
	go spawn(5)
	wg.Wait()
}

// goschedLoop: goroutines that yield (goschedImpl, the global queue).
func goschedLoop() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				work(50)
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
}

func nanosleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

// syscallShort: many brief blocking system calls (entersyscall and
// exitsyscall's fast path).
func syscallShort() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				nanosleep(time.Microsecond)
				work(100)
			}
		}()
	}
	wg.Wait()
}

// syscallLong: system calls long enough for sysmon to retake their Ps
// (retake, handoffp, exitsyscall's slow paths), with CPU work competing.
func syscallLong() {
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				nanosleep(3 * time.Millisecond)
				work(20000)
			}
		}()
	}
	r, w, err := os.Pipe()
	if err == nil {
		go func() {
			time.Sleep(2 * time.Millisecond)
			w.Write([]byte("x"))
			w.Close()
		}()
		fd := int(r.Fd()) // Fd puts the pipe in blocking mode
		var b [1]byte
		syscall.Read(fd, b[:])
		r.Close()
	}
	wg.Wait()
}

// timers: sleepers, tickers and timeouts (timers on Ps, netpoll with a
// deadline). The sleeps are announced for the lateness report.
func timers() {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				d := time.Duration(100+j*50) * time.Microsecond
				trace.Log(ctx, SleepLogCategory, d.String())
				time.Sleep(d)
			}
		}()
	}
	t := time.NewTicker(200 * time.Microsecond)
	for i := 0; i < 10; i++ {
		<-t.C
	}
	t.Stop()
	<-time.After(500 * time.Microsecond)
	wg.Wait()
}

// tcpLoopback: an echo server and clients on 127.0.0.1 (the network
// poller: netpoll, netpollblock, injectglist).
func tcpLoopback() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			defer c.Close()
			buf := make([]byte, 64)
			for j := 0; j < 50; j++ {
				c.Write(buf)
				io.ReadFull(c, buf)
			}
		}()
	}
	wg.Wait()
}

// mutexContention: goroutines contending on a sync.Mutex (semacquire parks
// and readies).
func mutexContention() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				mu.Lock()
				n += work(20)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// lockedThread: goroutines locked to their threads exchanging values with
// unlocked ones (stoplockedm, startlockedm: the P handed between threads).
func lockedThread() {
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for j := 0; j < 100; j++ {
				ch <- j
			}
		}()
	}
	for i := 0; i < 200; i++ {
		<-ch
	}
	wg.Wait()
}

var sink [][]byte

// gcPressure: allocation that forces garbage collections (stop-the-world,
// mark workers, assists) while goroutines run.
func gcPressure() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local [][]byte
			for j := 0; j < 3000; j++ {
				local = append(local, make([]byte, 4096))
				if len(local) > 256 {
					local = local[:0]
				}
			}
			sink = local
		}()
	}
	runtime.GC()
	wg.Wait()
}

// preemptLoops: loops without calls, preempted by sysmon's signals
// (asynchronous preemption), while other goroutines want to run.
func preemptLoops() {
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 0
			for !stop.Load() {
				x++
			}
			_ = x
		}()
	}
	time.Sleep(30 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
}

// selectTimeout: selects with timeouts and cancelled contexts.
func selectTimeout() {
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Microsecond)
			defer cancel()
			select {
			case <-ch:
			case <-ctx.Done():
			}
		}()
	}
	wg.Wait()
}

// traceOf runs f under runtime/trace at the given GOMAXPROCS and returns
// the trace.
func traceOf(t testing.TB, procs int, f func()) []byte {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatalf("trace.Start: %v", err)
	}
	f()
	trace.Stop()
	return buf.Bytes()
}

func procsList() []int { return []int{1, 2, 4} }

func programName(name string, procs int) string { return fmt.Sprintf("%s/P%d", name, procs) }

// gomaxprocsChange: GOMAXPROCS lowered and raised while goroutines run
// (procresize under stop-the-world: Ps destroyed and created).
func gomaxprocsChange() {
	n := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				work(2000)
				runtime.Gosched()
			}
		}()
	}
	runtime.GOMAXPROCS(1)
	time.Sleep(200 * time.Microsecond)
	runtime.GOMAXPROCS(n + 1)
	time.Sleep(200 * time.Microsecond)
	runtime.GOMAXPROCS(n)
	wg.Wait()
}

// coroutine: iter.Pull runs an iterator as a coroutine (newcoro creates it
// parked; coroswitch hands the thread from one goroutine to the other).
func coroutine() {
	seq := func(yield func(int) bool) {
		for i := 0; i < 500; i++ {
			if !yield(i) {
				return
			}
		}
	}
	next, stop := iter.Pull(seq)
	defer stop()
	for {
		if _, ok := next(); !ok {
			break
		}
	}
}

// afterFunc: time.AfterFunc starts its function in a new goroutine from
// the timer, which the scheduler runs (newproc from no goroutine).
func afterFunc() {
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		time.AfterFunc(time.Duration(50+i*10)*time.Microsecond, wg.Done)
	}
	wg.Wait()
}

// mix: several of the programs at once.
func mix() {
	var wg sync.WaitGroup
	for _, f := range []func(){pingpong, fanout, syscallLong, timers, tcpLoopback, mutexContention, lockedThread, gcPressure} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}
