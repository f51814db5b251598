package validate

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	xtrace "golang.org/x/exp/trace"

	"github.com/gmpspec/gmpspec/spec"
)

// Work-conservation windows.
//
// The model's work-conservation invariant (docs/invariants.md) says that no
// stable state has an idle P and queued work while no M spins or is being
// started. A trace does not show spinning, parked or polling Ms, nor run
// queues; it shows idle Ps, runnable goroutines, and Ps whose M runs no
// goroutine (an M in the scheduler: spinning, or about to find work or to
// drop its P). A window is a stretch of time in which some P is idle, some
// goroutine is runnable, and every running P runs a goroutine: nobody with
// a P is looking for the runnable work, so it waits for an M without a P
// (being woken, or polling) or for a running goroutine to stop. Short
// windows are the ordinary cost of waking a thread (a few microseconds);
// long ones are what the findings of docs/bugs.md look like from outside.
// Stop-the-world pauses are left out: the garbage collector stops every P
// on purpose.

// A Window is one stretch of time with an idle P, a runnable goroutine and
// no P looking for work.
type Window struct {
	Start    time.Duration `json:"start_ns"` // from the first event
	Length   time.Duration `json:"length_ns"`
	IdlePs   int           `json:"idle_ps"`  // at its start
	Runnable int           `json:"runnable"` // at its start
	// Began is the event that opened it; Ended the event that ended it
	// ("until the end of the trace" if none did).
	Began string `json:"began"`
	Ended string `json:"ended"`
}

// WindowBuckets are the upper bounds of WindowReport.Histogram's buckets.
var WindowBuckets = []time.Duration{10 * time.Microsecond, 100 * time.Microsecond, time.Millisecond, 10 * time.Millisecond}

// WindowReport summarizes a trace's work-conservation windows.
type WindowReport struct {
	Count int64         `json:"count"`
	Total time.Duration `json:"total_ns"`
	// Histogram counts windows by length: below 10µs, 100µs, 1ms, 10ms,
	// and the rest.
	Histogram [5]int64      `json:"histogram"`
	Longest   []Window      `json:"longest"`
	STW       time.Duration `json:"stop_the_world_ns"`
	// Lengths holds every window's length, and Opened and Closed the
	// kinds of the events that opened and closed it (EvNone: the end of
	// the trace or a stop-the-world), for aggregation across runs.
	Lengths []time.Duration `json:"-"`
	Opened  []spec.EvKind   `json:"-"`
	Closed  []spec.EvKind   `json:"-"`
	// Submitted counts, per window, the goroutines made runnable while it
	// was open (GoCreate, GoUnblock): a window that closes only after
	// new work was submitted waited for a submitter's wakep, not for a
	// thread already on its way.
	Submitted []int32 `json:"-"`
}

type windows struct {
	top                      int
	idleP, runnable, schedPs int
	active                   bool
	start                    xtrace.Time
	startIdle, startRun      int
	startEv                  spec.ObsEvent
	submitted                int32
	stwStart                 xtrace.Time
	stwTotal                 time.Duration
	origin                   xtrace.Time
	originSet                bool
	rep                      WindowReport
}

// pClass: 0 not existing, 1 idle, 2 running a goroutine, 3 running none.
func pClass(o *spec.Obs, p int32) uint8 {
	ps := &o.P[p]
	switch ps.State {
	case spec.ProcIdle:
		return 1
	case spec.ProcRunning:
		if ps.M >= 0 && o.M[ps.M].G >= 0 {
			return 2
		}
		return 3
	}
	return 0
}

type winSnap struct {
	ps    [3]int32
	class [3]uint8
	g     int32
	gst   spec.GoState
}

func (w *windows) touched(o *spec.Obs, e *spec.ObsEvent) (ps [3]int32) {
	ps = [3]int32{-1, -1, -1}
	add := func(p int32) {
		if p < 0 || int(p) >= len(o.P) {
			return
		}
		for i := range ps {
			if ps[i] == p {
				return
			}
			if ps[i] < 0 {
				ps[i] = p
				return
			}
		}
	}
	add(e.P)
	if e.M >= 0 && int(e.M) < len(o.M) {
		add(o.M[e.M].P)
	}
	if e.On >= 0 && int(e.On) < len(o.M) {
		add(o.M[e.On].P)
	}
	return ps
}

func (w *windows) snapshot(o *spec.Obs, e *spec.ObsEvent) winSnap {
	s := winSnap{ps: w.touched(o, e), g: e.G}
	for i, p := range s.ps {
		if p >= 0 {
			s.class[i] = pClass(o, p)
		}
	}
	if e.G >= 0 && int(e.G) < len(o.G) {
		s.gst = o.G[e.G].State
	}
	return s
}

func (w *windows) count(class uint8, d int) {
	switch class {
	case 1:
		w.idleP += d
	case 3:
		w.schedPs += d
	}
}

// update counts the event in and opens or closes the window. It reports
// whether it closed one that is among the longest so far, whose Ended the
// caller then names (setEnded).
func (w *windows) update(o *spec.Obs, e *spec.ObsEvent, before winSnap, t xtrace.Time, stw bool) (closed bool) {
	if !w.originSet {
		w.origin, w.originSet = t, true
	}
	// Count the touched Ps out with their classes before the event and
	// back in with their classes now. A P the event linked to its thread
	// without touching it keeps its class: it is counted out and in
	// with the same one.
	after := w.touched(o, e)
	var seen [6]int32
	n := 0
	for i, p := range before.ps {
		if p >= 0 {
			w.count(before.class[i], -1)
			seen[n] = p
			n++
		}
	}
	for _, p := range after {
		if p >= 0 && !slices.Contains(seen[:n], p) {
			w.count(pClass(o, p), -1)
			seen[n] = p
			n++
		}
	}
	for _, p := range seen[:n] {
		w.count(pClass(o, p), +1)
	}
	if before.g >= 0 {
		if before.gst == spec.GoRunnable {
			w.runnable--
		}
		if o.G[before.g].State == spec.GoRunnable {
			w.runnable++
		}
	}
	now := w.idleP > 0 && w.runnable > 0 && w.schedPs == 0 && !stw
	if w.active && (e.Kind == spec.EvGoCreate || e.Kind == spec.EvGoUnblock) {
		w.submitted++
	}
	switch {
	case now && !w.active:
		w.active, w.start, w.startIdle, w.startRun, w.startEv, w.submitted = true, t, w.idleP, w.runnable, *e, 0
	case !now && w.active:
		return w.close(t, e.Kind, "")
	}
	return false
}

// setEnded names the events that opened and ended the window just closed.
func (w *windows) setEnded(name func(e *spec.ObsEvent) string, end spec.ObsEvent) {
	r := &w.rep
	for i := range r.Longest {
		if r.Longest[i].Ended == "" {
			r.Longest[i].Ended = name(&end)
			r.Longest[i].Began = name(&w.startEv)
		}
	}
}

// close ends the window at t, by an event of kind k, and reports whether
// it is among the longest.
func (w *windows) close(t xtrace.Time, k spec.EvKind, ended string) bool {
	w.active = false
	n := time.Duration(t - w.start)
	r := &w.rep
	r.Count++
	r.Total += n
	r.Lengths = append(r.Lengths, n)
	r.Opened = append(r.Opened, w.startEv.Kind)
	r.Closed = append(r.Closed, k)
	r.Submitted = append(r.Submitted, w.submitted)
	b := len(WindowBuckets)
	for i, ub := range WindowBuckets {
		if n < ub {
			b = i
			break
		}
	}
	r.Histogram[b]++
	win := Window{Start: time.Duration(w.start - w.origin), Length: n, IdlePs: w.startIdle, Runnable: w.startRun, Ended: ended}
	if ended != "" {
		win.Began = w.startEv.Kind.String()
	}
	if len(r.Longest) < w.top || n > r.Longest[len(r.Longest)-1].Length {
		i := sort.Search(len(r.Longest), func(i int) bool { return r.Longest[i].Length < n })
		r.Longest = slices.Insert(r.Longest, i, win)
		if len(r.Longest) > w.top {
			r.Longest = r.Longest[:w.top]
		}
		return true
	}
	return false
}

func (w *windows) stwBegin(t xtrace.Time) {
	w.stwStart = t
	if w.active {
		w.close(t, spec.EvNone, "stop-the-world")
	}
}

func (w *windows) stwEnd(t xtrace.Time) { w.stwTotal += time.Duration(t - w.stwStart) }

func (w *windows) finish(last, first xtrace.Time) {
	if w.active {
		w.close(last, spec.EvNone, "until the end of the trace")
	}
}

func (w *windows) report() WindowReport {
	r := w.rep
	r.STW = w.stwTotal
	if r.Longest == nil {
		r.Longest = []Window{}
	}
	return r
}

// Sleeps: a program announces a sleep with trace.Log(ctx,
// SleepLogCategory, d.String()) just before time.Sleep(d); the sleeper's
// next GoBlock (reason "sleep") starts the sleep and its GoUnblock ends it.
// The lateness is the time from block to unblock minus d: how long the
// expired timer waited for an M to run it.

// SleepReport summarizes the announced sleeps of a trace.
type SleepReport struct {
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
	// Lateness holds every sleep's lateness, for aggregation across runs.
	Lateness []time.Duration `json:"-"`
}

type sleep struct {
	d       time.Duration
	blocked xtrace.Time
}

type sleeps struct {
	pending map[int32]sleep
	late    []time.Duration
}

func (s *sleeps) announce(g int32, d time.Duration) {
	if g >= 0 {
		s.pending[g] = sleep{d: d}
	}
}

func (s *sleeps) observe(e *spec.ObsEvent, t xtrace.Time, reason string) {
	sl, ok := s.pending[e.G]
	if !ok {
		return
	}
	switch e.Kind {
	case spec.EvGoBlock:
		if strings.Contains(reason, "sleep") {
			sl.blocked = t
			s.pending[e.G] = sl
		}
	case spec.EvGoUnblock:
		if sl.blocked != 0 {
			s.late = append(s.late, time.Duration(t-sl.blocked)-sl.d)
			delete(s.pending, e.G)
		}
	}
}

func (s *sleeps) report() SleepReport {
	r := SleepReport{Count: int64(len(s.late)), Lateness: s.late}
	if len(s.late) == 0 {
		return r
	}
	q := Quantiles(s.late, 0.5, 0.9, 0.99, 1)
	r.P50, r.P90, r.P99, r.Max = q[0], q[1], q[2], q[3]
	return r
}

// Quantiles returns the q-quantiles of ds (nearest rank), for each q.
func Quantiles(ds []time.Duration, qs ...float64) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	out := make([]time.Duration, len(qs))
	if len(s) == 0 {
		return out
	}
	for i, q := range qs {
		k := int(q*float64(len(s))+0.999999) - 1
		out[i] = s[max(0, min(k, len(s)-1))]
	}
	return out
}

// WriteText prints a result for people: the verdict, the counts, the
// rejection if any, then the windows and the sleeps.
func WriteText(w io.Writer, name string, r *Result) {
	verdict := "every transition is a step of the model"
	if r.Rejection != nil {
		verdict = "REJECTED: an event the model cannot explain"
	}
	fmt.Fprintf(w, "trace       %s (%s)\n", name, r.GoVersion)
	fmt.Fprintf(w, "verdict     %s\n", verdict)
	fmt.Fprintf(w, "\nstatistics\n")
	fmt.Fprintf(w, "  events       %d (%d state transitions checked)\n", r.Events, r.Transitions)
	fmt.Fprintf(w, "  goroutines   %d\n  threads      %d\n  procs        %d\n  span         %v\n", r.Goroutines, r.Threads, r.Procs, r.Span)
	fmt.Fprintf(w, "  transitions  %s\n", sortedCounts(r.ByKind))
	if len(r.Abstracted) > 0 {
		fmt.Fprintf(w, "  abstracted   %s (accepted under the abstractions of docs/model.md, \"What a trace shows\"; -strict rejects them)\n", sortedCounts(r.Abstracted))
	}
	if rj := r.Rejection; rj != nil {
		fmt.Fprintf(w, "\nrejected event %d at %v\n  %s\n", rj.Index, rj.Time, rj.Event)
		fmt.Fprintf(w, "  breaks %s: %s\n", rj.Rule, rj.Why)
		if rj.Stack != "" {
			fmt.Fprintf(w, "  stack:\n    %s\n", strings.ReplaceAll(rj.Stack, "\n", "\n    "))
		}
		fmt.Fprintf(w, "\nprojected state before the event\n  %s\n", strings.ReplaceAll(rj.State, "\n", "\n  "))
		fmt.Fprintf(w, "\nthe model would have allowed (about the same goroutine, P and thread)\n")
		if len(rj.Allowed) == 0 {
			fmt.Fprintf(w, "  nothing\n")
		}
		for _, a := range rj.Allowed {
			fmt.Fprintf(w, "  %s\n", a)
		}
		return
	}
	wr := &r.Windows
	fmt.Fprintf(w, "\nwork-conservation windows (an idle P, a runnable goroutine, every running P busy; stop-the-world excluded)\n")
	fmt.Fprintf(w, "  count %d, total %v (%.3f%% of the span), stop-the-world %v\n", wr.Count, wr.Total, pct(wr.Total, r.Span), wr.STW)
	fmt.Fprintf(w, "  lengths  <10µs %d  <100µs %d  <1ms %d  <10ms %d  >=10ms %d\n", wr.Histogram[0], wr.Histogram[1], wr.Histogram[2], wr.Histogram[3], wr.Histogram[4])
	for i, win := range wr.Longest {
		fmt.Fprintf(w, "  %d. %v at %v (%d idle P, %d runnable)\n       opened by %s\n       ended by %s\n", i+1, win.Length, win.Start, win.IdlePs, win.Runnable, win.Began, win.Ended)
	}
	if r.Sleeps.Count > 0 {
		s := &r.Sleeps
		fmt.Fprintf(w, "\nannounced sleeps (%q logs): %d, lateness p50 %v p90 %v p99 %v max %v\n", SleepLogCategory, s.Count, s.P50, s.P90, s.P99, s.Max)
	}
}

func pct(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
