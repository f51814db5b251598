// Command findings runs the two Go 1.26.8 findings of docs/bugs.md on the
// real runtime: programs built to open each window the model found, run
// many times under runtime/trace, each trace validated against the model
// and measured (gmpcheck validate's work-conservation windows and sleep
// lateness), beside a control that differs only in what opens the window.
//
// Usage:
//
//	go run ./validate/findings [-runs N] [-json] [timer-poller|handoffp|all]
//
// timer-poller: a sleeper's timer is stranded on an idle P when the M that
// waited in netpoll for it takes a network wakeup instead (docs/bugs.md, "A
// timer stranded by the poller"). GOMAXPROCS 2; main blocks reading a pipe
// written by another process (the network, as the model's environment); a
// sleeper sleeps 1ms in a loop. In the variant main computes 3ms after each
// wakeup, so the M that took it is busy; in the control it blocks again at
// once. Measured: the sleeps' lateness.
//
// handoffp: sysmon's handoffp puts a P on the idle list while a goroutine
// submitted during its check waits (docs/bugs.md, "handoffp does not honour
// needspinning"). GOMAXPROCS 2; main starts a goroutine every 200µs of
// computing; in the variant another goroutine sits in 2ms system calls, so
// sysmon retakes its P and hands it off over and over; the control has no
// system calls. Measured: work-conservation windows of 100µs and more, by
// the event that opened them.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gmpspec/gmpspec/spec"
	"github.com/gmpspec/gmpspec/validate"
)

func main() {
	if os.Getenv(writerEnv) != "" {
		writer()
		return
	}
	runs := flag.Int("runs", 50, "runs of each program")
	flag.DurationVar(&period, "period", period, "timer-poller: main's computing after each wakeup; handoffp: main's computing between go statements")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: findings [-runs N] [-json] [timer-poller|handoffp|all]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	which := "all"
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if flag.NArg() == 1 {
		which = flag.Arg(0)
	}
	var exps []experiment
	for _, e := range experiments {
		if which == "all" || which == e.name {
			exps = append(exps, e)
		}
	}
	if len(exps) == 0 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	var results []Result
	for _, e := range exps {
		for _, variant := range []bool{true, false} {
			r, err := run(e, variant, *runs, os.Stderr)
			if err != nil {
				fmt.Fprintf(os.Stderr, "findings: %v\n", err)
				os.Exit(1)
			}
			results = append(results, r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
		return
	}
	for _, r := range results {
		r.write(os.Stdout)
	}
}

type experiment struct {
	name string
	// program runs one trial; variant says whether the window's cause is
	// present.
	program func(variant bool, d time.Duration) error
	measure string // "lateness" or "windows"
}

var experiments = []experiment{
	{"timer-poller", timerPoller, "lateness"},
	{"handoffp", handoffp, "windows"},
}

// Result aggregates the runs of one program.
type Result struct {
	Experiment string `json:"experiment"`
	Variant    string `json:"variant"` // "variant" or "control"
	Runs       int    `json:"runs"`
	Events     int64  `json:"events"`
	// Accepted counts the traces the model explained (all, or the run
	// fails).
	Accepted int `json:"accepted"`
	// Lateness of the announced sleeps (timer-poller).
	Sleeps   int           `json:"sleeps,omitempty"`
	LateP50  time.Duration `json:"late_p50_ns,omitempty"`
	LateP90  time.Duration `json:"late_p90_ns,omitempty"`
	LateP99  time.Duration `json:"late_p99_ns,omitempty"`
	LateMax  time.Duration `json:"late_max_ns,omitempty"`
	Late1ms  int           `json:"late_over_1ms,omitempty"`
	Late100u int           `json:"late_over_100us,omitempty"`
	// Work-conservation windows (both).
	Windows     int64          `json:"windows"`
	Long100us   int            `json:"windows_over_100us"`
	Long1ms     int            `json:"windows_over_1ms"`
	LongByStart map[string]int `json:"windows_over_100us_by_opening_event"`
	WinMax      time.Duration  `json:"window_max_ns"`
	Span        time.Duration  `json:"traced_ns"`
	// Steals counts the P steals (sysmon's retakes); StealWindows the
	// windows a steal opened (a P made idle while a goroutine waited and
	// every running P was busy), with their lengths' quantiles.
	Steals       int64 `json:"steals"`
	StealWindows int   `json:"steal_windows"`
	// StealAfterSubmit counts the windows a steal opened that closed only
	// after new work was submitted (handoffp's signature: nobody was
	// started for the P it made idle), with their lengths.
	StealAfterSubmit  int             `json:"steal_windows_closed_after_a_submission"`
	StealAfterLengths []time.Duration `json:"steal_windows_closed_after_a_submission_ns,omitempty"`
	StealP50          time.Duration   `json:"steal_window_p50_ns,omitempty"`
	StealP90          time.Duration   `json:"steal_window_p90_ns,omitempty"`
	StealP99          time.Duration   `json:"steal_window_p99_ns,omitempty"`
	StealMax          time.Duration   `json:"steal_window_max_ns,omitempty"`
	// Wake is the baseline: the windows a goroutine's creation opened
	// (newproc's wakep starting an M), which last as long as waking a
	// thread takes.
	Wake    int           `json:"create_windows"`
	WakeP50 time.Duration `json:"create_window_p50_ns,omitempty"`
	WakeP90 time.Duration `json:"create_window_p90_ns,omitempty"`
	WakeP99 time.Duration `json:"create_window_p99_ns,omitempty"`
	WakeMax time.Duration `json:"create_window_max_ns,omitempty"`
	Period  time.Duration `json:"period_ns,omitempty"`
}

func run(e experiment, variant bool, runs int, log io.Writer) (Result, error) {
	r := Result{Experiment: e.name, Variant: "control", Runs: runs, LongByStart: map[string]int{}, Period: period}
	if variant {
		r.Variant = "variant"
	}
	var late, steal, wake []time.Duration
	for i := 0; i < runs; i++ {
		var buf bytes.Buffer
		prev := runtime.GOMAXPROCS(2)
		if err := trace.Start(&buf); err != nil {
			return r, err
		}
		err := e.program(variant, 100*time.Millisecond)
		trace.Stop()
		runtime.GOMAXPROCS(prev)
		if err != nil {
			return r, err
		}
		res, err := validate.Run(context.Background(), &buf, validate.Options{})
		if err != nil {
			return r, fmt.Errorf("%s run %d: %v", e.name, i, err)
		}
		if res.Rejection != nil {
			return r, fmt.Errorf("%s run %d: the model rejects the trace: %v", e.name, i, res.Rejection)
		}
		r.Accepted++
		r.Events += res.Events
		r.Span += res.Span
		late = append(late, res.Sleeps.Lateness...)
		w := &res.Windows
		r.Windows += w.Count
		r.Steals += res.ByKind["ProcSteal"]
		for j, n := range w.Lengths {
			if w.Opened[j] == spec.EvGoCreate {
				wake = append(wake, n)
			}
			if w.Opened[j] == spec.EvProcSteal {
				steal = append(steal, n)
				if w.Submitted[j] > 0 && w.Closed[j] == spec.EvProcStart {
					r.StealAfterSubmit++
					r.StealAfterLengths = append(r.StealAfterLengths, n)
				}
			}
			r.WinMax = max(r.WinMax, n)
			if n >= 100*time.Microsecond {
				r.Long100us++
				r.LongByStart[w.Opened[j].String()]++
			}
			if n >= time.Millisecond {
				r.Long1ms++
			}
		}
		if log != nil && (i+1)%10 == 0 {
			fmt.Fprintf(log, "findings: %s %s: %d/%d runs\n", e.name, r.Variant, i+1, runs)
		}
	}
	r.StealWindows = len(steal)
	if len(steal) > 0 {
		q := validate.Quantiles(steal, 0.5, 0.9, 0.99, 1)
		r.StealP50, r.StealP90, r.StealP99, r.StealMax = q[0], q[1], q[2], q[3]
	}
	r.Wake = len(wake)
	if len(wake) > 0 {
		q := validate.Quantiles(wake, 0.5, 0.9, 0.99, 1)
		r.WakeP50, r.WakeP90, r.WakeP99, r.WakeMax = q[0], q[1], q[2], q[3]
	}
	r.Sleeps = len(late)
	if len(late) > 0 {
		q := validate.Quantiles(late, 0.5, 0.9, 0.99, 1)
		r.LateP50, r.LateP90, r.LateP99, r.LateMax = q[0], q[1], q[2], q[3]
		for _, l := range late {
			if l >= time.Millisecond {
				r.Late1ms++
			}
			if l >= 100*time.Microsecond {
				r.Late100u++
			}
		}
	}
	return r, nil
}

func (r *Result) write(w io.Writer) {
	fmt.Fprintf(w, "%s %s: %d runs, %d events, %v traced, all %d traces explained by the model\n", r.Experiment, r.Variant, r.Runs, r.Events, r.Span.Round(time.Millisecond), r.Accepted)
	if r.Sleeps > 0 {
		fmt.Fprintf(w, "  sleeps %d: lateness p50 %v p90 %v p99 %v max %v; >=100µs %d, >=1ms %d\n",
			r.Sleeps, r.LateP50, r.LateP90, r.LateP99, r.LateMax, r.Late100u, r.Late1ms)
	}
	fmt.Fprintf(w, "  work-conservation windows %d: >=100µs %d, >=1ms %d, longest %v; >=100µs by opening event %v\n",
		r.Windows, r.Long100us, r.Long1ms, r.WinMax, r.LongByStart)
	if r.Wake > 0 {
		fmt.Fprintf(w, "  windows opened by a goroutine's creation (waking a thread) %d: p50 %v p90 %v p99 %v max %v\n", r.Wake, r.WakeP50, r.WakeP90, r.WakeP99, r.WakeMax)
	}
	if r.Steals > 0 {
		fmt.Fprintf(w, "  P steals %d, of which %d opened a window: length p50 %v p90 %v p99 %v max %v\n",
			r.Steals, r.StealWindows, r.StealP50, r.StealP90, r.StealP99, r.StealMax)
		fmt.Fprintf(w, "  steal windows closed by a P start only after new work was submitted: %d %v\n", r.StealAfterSubmit, r.StealAfterLengths)
	}
}

// period is the computing main does in the variant (and, for handoffp, in
// the control): the length the model predicts for the windows.
var period = 3 * time.Millisecond

// ---- timer-poller ----

const writerEnv = "GMPSPEC_FINDINGS_WRITER"

// writer is the other process: it writes a byte to stdout at jittered
// intervals of 2-6ms until its stdin closes.
func writer() {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	out := bufio.NewWriter(os.Stdout)
	seed := uint64(time.Now().UnixNano())
	for {
		seed = seed*6364136223846793005 + 1442695040888963407
		time.Sleep(2*time.Millisecond + time.Duration(seed>>33)%(4*time.Millisecond))
		out.WriteByte('x')
		if out.Flush() != nil {
			return
		}
	}
}

func timerPoller(variant bool, d time.Duration) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), writerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe() // read through the network poller
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	ctx := context.Background()
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the sleeper
		defer wg.Done()
		const sleep = time.Millisecond
		for !stop.Load() {
			trace.Log(ctx, validate.SleepLogCategory, sleep.String())
			time.Sleep(sleep)
		}
	}()
	deadline := time.Now().Add(d)
	var b [1]byte
	for time.Now().Before(deadline) {
		if _, err := stdout.Read(b[:]); err != nil {
			return err
		}
		if variant {
			spin(period)
		}
	}
	stop.Store(true)
	wg.Wait()
	return nil
}

// spin computes for d without blocking.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x += i
		}
	}
	sinkInt.Add(int64(x))
}

var sinkInt atomic.Int64

// ---- handoffp ----

func handoffp(variant bool, d time.Duration) error {
	var stop atomic.Bool
	var wg sync.WaitGroup
	if variant {
		wg.Add(1)
		go func() { // a goroutine in long system calls: sysmon retakes its P
			defer wg.Done()
			ts := syscall.NsecToTimespec(int64(2 * time.Millisecond))
			for !stop.Load() {
				t := ts
				for syscall.Nanosleep(&t, &t) == syscall.EINTR {
				}
			}
		}()
	}
	deadline := time.Now().Add(d)
	var done sync.WaitGroup
	for time.Now().Before(deadline) {
		done.Add(1)
		go func() { done.Done() }() // newproc: runqput and wakep
		spin(period / 10)
	}
	done.Wait()
	stop.Store(true)
	wg.Wait()
	return nil
}
