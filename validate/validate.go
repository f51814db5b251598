// Package validate checks Go execution traces against the scheduler model:
// every state transition a trace records must be one the model's steps make
// visible (spec.Obs, spec/observe.go), and every state the transitions lead
// to must satisfy the model's observable invariants.
//
// A trace (runtime/trace, Go 1.22 and later; read with
// golang.org/x/exp/trace) records, for each goroutine and each P, every
// change of status and the thread that made it. Validate reads a trace once,
// in order, maps its goroutine, thread and P ids to dense ones, turns each
// state transition into a spec.ObsEvent and hands it to a spec.Obs. The
// first event the model cannot explain ends the run with a Rejection: the
// event, the projected state before it, and the events the model would
// have allowed there. Along the way it measures what the model calls
// suspicious (see Windows) and how late annotated sleeps wake (see
// Sleeps).
//
// The work per event is a few map lookups and a constant amount of
// checking: a run is linear in the trace.
package validate

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	xtrace "golang.org/x/exp/trace"

	"github.com/gmpspec/gmpspec/spec"
)

// Options configure a run.
type Options struct {
	// Strict rejects the events of mechanisms the model lacks (goroutines
	// created parked, the garbage collector's stop-the-world, GOMAXPROCS
	// changes) instead of accepting them under the documented
	// abstractions (docs/model.md, "What a trace shows").
	Strict bool
	// TopWindows is how many of the longest work-conservation windows to
	// keep (default 5).
	TopWindows int
	// Progress, if not nil, receives a line every ProgressInterval
	// (default 5s) on long runs.
	Progress         io.Writer
	ProgressInterval time.Duration
	_                struct{}
}

// Result is what a run found.
type Result struct {
	GoVersion string `json:"go_version"`
	// Incomplete is set when the run was interrupted before the end of
	// the trace; what it found so far is reported.
	Incomplete bool  `json:"incomplete,omitempty"`
	Events     int64 `json:"events"`
	// Transitions is the number of state transitions checked.
	Transitions int64            `json:"transitions"`
	ByKind      map[string]int64 `json:"by_kind"`
	// Abstracted counts the transitions accepted only under an
	// abstraction, by the mechanism they belong to.
	Abstracted map[string]int64 `json:"abstracted,omitempty"`
	// Ignored counts the events that carry no scheduler state (metrics,
	// logs, ranges, stack samples, ...), by kind.
	Ignored    map[string]int64 `json:"ignored,omitempty"`
	Goroutines int              `json:"goroutines"`
	Threads    int              `json:"threads"`
	Procs      int              `json:"procs"`
	// Span is the time from the first event to the last.
	Span time.Duration `json:"span_ns"`

	Rejection *Rejection   `json:"rejection,omitempty"`
	Windows   WindowReport `json:"windows"`
	Sleeps    SleepReport  `json:"sleeps"`
}

// A Rejection is the first event the model cannot explain.
type Rejection struct {
	// Index is the event's position in the trace (from 0), Time its
	// time from the first event.
	Index int64         `json:"index"`
	Time  time.Duration `json:"time_ns"`
	// Event is the transition in the trace's ids, as "GoStart G17 on
	// M12345 (P1)".
	Event string `json:"event"`
	Stack string `json:"stack,omitempty"`
	// Rule is the model property the event breaks; Why says how.
	Rule string `json:"rule"`
	Why  string `json:"why"`
	// State is the projected state before the event, in schedtrace form
	// with the trace's ids.
	State string `json:"state"`
	// Allowed lists the events the model would have taken about the same
	// goroutine, P and thread, each with the model steps that make it.
	Allowed []string `json:"allowed"`
}

func (r *Rejection) Error() string {
	return fmt.Sprintf("event %d at %v: %s: %s: %s", r.Index, r.Time, r.Event, r.Rule, r.Why)
}

// A FormatError is a trace the reader cannot read: not a trace, a trace of
// an unsupported version, or a corrupt or truncated one.
type FormatError struct {
	Index int64 // events read before the error
	Err   error
}

func (e *FormatError) Error() string {
	if e.Index == 0 {
		return fmt.Sprintf("not a readable execution trace: %v", e.Err)
	}
	return fmt.Sprintf("corrupt or truncated trace after %d events: %v", e.Index, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Run reads the trace in r and checks it. A trace the model cannot explain
// gives a Result with a Rejection and a nil error; an unreadable trace
// gives a *FormatError. Cancelling ctx ends the run early with an
// incomplete Result.
func Run(ctx context.Context, r io.Reader, opt Options) (*Result, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	version, err := peekVersion(br)
	if err != nil {
		return nil, &FormatError{Err: err}
	}
	v := NewValidator(opt)
	v.res.GoVersion = version
	tr, err := newReader(br)
	if err != nil {
		return nil, &FormatError{Err: err}
	}
	start := time.Now()
	interval := opt.ProgressInterval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	nextReport := start.Add(interval)
	for {
		if v.res.Events&0xffff == 0 {
			if ctx.Err() != nil {
				v.res.Incomplete = true
				break
			}
			if opt.Progress != nil && time.Now().After(nextReport) {
				el := time.Since(start)
				fmt.Fprintf(opt.Progress, "validate: %d events, %d transitions in %v (%.2fM events/s)\n",
					v.res.Events, v.res.Transitions, el.Round(time.Second), float64(v.res.Events)/el.Seconds()/1e6)
				nextReport = nextReport.Add(interval)
			}
		}
		ev, err := tr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &FormatError{Index: v.res.Events, Err: err}
		}
		if v.Event(&ev) != nil {
			break
		}
	}
	return v.Finish(), nil
}

// peekVersion reads the trace header, "go 1.NN trace\x00\x00\x00", and
// accepts Go 1.22 and later (the format golang.org/x/exp/trace reads as a
// stream of state transitions).
func peekVersion(br *bufio.Reader) (string, error) {
	hdr, err := br.Peek(16)
	if err != nil {
		return "", fmt.Errorf("reading the header: %v", err)
	}
	s := string(bytes.TrimRight(hdr, "\x00"))
	if !strings.HasPrefix(s, "go 1.") || !strings.HasSuffix(s, " trace") {
		return "", fmt.Errorf("no trace header (want \"go 1.NN trace\", got %q)", s)
	}
	minor, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(s, "go 1."), " trace"))
	if err != nil {
		return "", fmt.Errorf("bad trace header %q", s)
	}
	if minor < 22 {
		return "", fmt.Errorf("a go1.%d trace: the model's observation needs Go 1.22 or later (the model is of Go 1.26)", minor)
	}
	return fmt.Sprintf("go1.%d", minor), nil
}

// reader wraps xtrace.Reader: a corrupt input must be an error, and the
// reader is not ours to trust with that, so a panic in it becomes one too.
type reader struct{ r *xtrace.Reader }

func newReader(r io.Reader) (tr *reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the trace reader failed: %v", p)
		}
	}()
	xr, err := xtrace.NewReader(r)
	if err != nil {
		return nil, err
	}
	return &reader{xr}, nil
}

func (r *reader) next() (ev xtrace.Event, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the trace reader failed: %v", p)
		}
	}()
	ev, err = r.r.ReadEvent()
	if err == io.EOF {
		return ev, err
	}
	if err != nil {
		return ev, err
	}
	// Details the validator asks for must not panic later either.
	if ev.Kind() == xtrace.EventStateTransition {
		_ = ev.StateTransition()
	}
	return ev, nil
}

// A Validator checks a trace one event at a time.
type Validator struct {
	opt Options
	obs spec.Obs
	res Result

	// Dense ids. Goroutine and P ids are small counters: a slice indexed
	// by id holds dense id+1 (a map takes the rare large ids). Thread ids
	// are the OS's: a map, with the last hit remembered.
	gidx  []int32
	gid   map[xtrace.GoID]int32
	gids  []xtrace.GoID
	mid   map[xtrace.ThreadID]int32
	mids  []xtrace.ThreadID
	lastM xtrace.ThreadID
	lastI int32
	pidx  []int32
	pid   map[xtrace.ProcID]int32
	pids  []xtrace.ProcID

	first, last xtrace.Time
	stw         int // nesting of stop-the-world ranges

	win    windows
	sleeps sleeps
}

// NewValidator returns a Validator with an empty state.
func NewValidator(opt Options) *Validator {
	if opt.TopWindows == 0 {
		opt.TopWindows = 5
	}
	v := &Validator{
		opt: opt,
		gid: map[xtrace.GoID]int32{}, mid: map[xtrace.ThreadID]int32{}, pid: map[xtrace.ProcID]int32{},
	}
	v.obs.Abstractions = !opt.Strict
	v.res.ByKind = map[string]int64{}
	v.res.Abstracted = map[string]int64{}
	v.res.Ignored = map[string]int64{}
	v.win.top = opt.TopWindows
	v.sleeps.pending = map[int32]sleep{}
	return v
}

// maxDirect bounds the ids kept in a direct-index slice.
const maxDirect = 1 << 24

// dense returns the dense id of id through a direct-index slice or a map,
// assigning the next one (next, through add) to a new id.
func dense[ID ~int64 | ~uint64](id ID, idx *[]int32, m map[ID]int32, add func() int32) int32 {
	if uint64(id) < maxDirect {
		if int(id) < len(*idx) {
			if i := (*idx)[id]; i != 0 {
				return i - 1
			}
		} else {
			*idx = append(*idx, make([]int32, int(id)+1-len(*idx))...)
		}
		i := add()
		(*idx)[id] = i + 1
		return i
	}
	if i, ok := m[id]; ok {
		return i
	}
	i := add()
	m[id] = i
	return i
}

func (v *Validator) g(id xtrace.GoID) int32 {
	if id == xtrace.NoGoroutine {
		return -1
	}
	return dense(id, &v.gidx, v.gid, func() int32 {
		v.gids = append(v.gids, id)
		v.obs.Grow(len(v.gids), len(v.pids), len(v.mids))
		return int32(len(v.gids) - 1)
	})
}

func (v *Validator) m(id xtrace.ThreadID) int32 {
	if id == xtrace.NoThread {
		return -1
	}
	if id == v.lastM && len(v.mids) > 0 {
		return v.lastI
	}
	i, ok := v.mid[id]
	if !ok {
		i = int32(len(v.mids))
		v.mid[id] = i
		v.mids = append(v.mids, id)
		v.obs.Grow(len(v.gids), len(v.pids), len(v.mids))
	}
	v.lastM, v.lastI = id, i
	return i
}

func (v *Validator) p(id xtrace.ProcID) int32 {
	if id == xtrace.NoProc {
		return -1
	}
	return dense(id, &v.pidx, v.pid, func() int32 {
		v.pids = append(v.pids, id)
		v.obs.Grow(len(v.gids), len(v.pids), len(v.mids))
		return int32(len(v.pids) - 1)
	})
}

// Event checks one trace event. It returns the Rejection once the model
// cannot explain the trace; later calls do nothing.
func (v *Validator) Event(ev *xtrace.Event) *Rejection {
	if v.res.Rejection != nil {
		return v.res.Rejection
	}
	if v.res.Events == 0 {
		v.first = ev.Time()
	}
	v.res.Events++
	v.last = ev.Time()
	switch ev.Kind() {
	case xtrace.EventStateTransition:
		return v.transition(ev)
	case xtrace.EventRangeBegin, xtrace.EventRangeEnd:
		if strings.HasPrefix(ev.Range().Name, "stop-the-world") {
			if ev.Kind() == xtrace.EventRangeBegin {
				v.stw++
				v.win.stwBegin(ev.Time())
			} else if v.stw > 0 {
				v.stw--
				if v.stw == 0 {
					v.win.stwEnd(ev.Time())
				}
			}
		}
	case xtrace.EventLog:
		if l := ev.Log(); l.Category == SleepLogCategory {
			if d, err := time.ParseDuration(l.Message); err == nil {
				v.sleeps.announce(v.g(ev.Goroutine()), d)
			}
		}
	}
	v.res.Ignored[ev.Kind().String()]++
	return nil
}

// SleepLogCategory is the trace.Log category with which a program announces
// a sleep ("1ms", a time.Duration) just before it sleeps; Validate then
// measures how late the sleeper was woken (Result.Sleeps).
const SleepLogCategory = "gmpspec.sleep"

func (v *Validator) transition(ev *xtrace.Event) *Rejection {
	e, resize, reason := v.translate(ev)
	if e.Kind == spec.EvNone && reason == "" {
		return nil // a transition of a resource the model does not have
	}
	if e.Kind == spec.EvNone {
		return v.reject(ev, &e, "no-such-transition", reason)
	}
	if resize && v.opt.Strict {
		return v.reject(ev, &e, "abstraction", "a GOMAXPROCS change: "+spec.AbsResize.Why())
	}
	closed, r := v.step(&e, ev.Time())
	if r != nil {
		return v.reject(ev, &e, r.Rule, r.Why)
	}
	if closed {
		v.win.setEnded(v.describeObs, e)
	}
	if resize && v.obs.Used == spec.AbsNone {
		v.res.Abstracted[spec.AbsResize.String()]++
	}
	v.sleeps.observe(&e, ev.Time(), ev.StateTransition().Reason)
	return nil
}

// translate turns a state transition into an event for spec.Obs. It looks
// at nothing but the event: its kind comes from the transition, and a P
// going idle is a ProcStop when it is the thread's own P (the reader gives
// a ProcStop the P of its context) and a ProcSteal otherwise. resize marks
// a P created or destroyed by procresize; a transition the model has no
// event for comes back as EvNone with the reason, or with "" for a
// resource the model does not have (threads).
func (v *Validator) translate(ev *xtrace.Event) (e spec.ObsEvent, resize bool, reason string) {
	st := ev.StateTransition()
	e = spec.ObsEvent{M: v.m(ev.Thread()), G: -1, P: -1, On: -1, CtxP: v.p(ev.Proc()), CtxG: v.g(ev.Goroutine())}
	status := func() {
		e.On = e.M
		e.CtxP, e.CtxG = spec.NoCtx, spec.NoCtx
	}
	switch st.Resource.Kind {
	case xtrace.ResourceGoroutine:
		from, to := st.Goroutine()
		e.G = v.g(st.Resource.Goroutine())
		switch {
		case from == xtrace.GoUndetermined || from == to:
			e.Kind, e.GoState, e.Confirm = spec.EvGoStatus, goState(to), from == to
			status()
		default:
			e.Kind = goKind(from, to)
			if e.Kind == spec.EvNone {
				reason = fmt.Sprintf("no model step takes a goroutine from %v to %v", from, to)
			}
		}
	case xtrace.ResourceProc:
		from, to := st.Proc()
		e.P = v.p(st.Resource.Proc())
		switch {
		case from == xtrace.ProcUndetermined:
			e.Kind, e.ProcState = spec.EvProcStatus, procState(to)
			status()
		case from == xtrace.ProcNotExist || to == xtrace.ProcNotExist:
			e.Kind, e.ProcState, resize = spec.EvProcStatus, procState(to), true
			status()
		case from == to:
			// A repeated status, or a ProcSteal of a P whose syscall
			// was abandoned (cgo), which is idle -> idle.
			e.Kind, e.ProcState, e.Confirm = spec.EvProcStatus, procState(to), true
			status()
		case from == xtrace.ProcIdle && to == xtrace.ProcRunning:
			e.Kind = spec.EvProcStart
		case from == xtrace.ProcRunning && to == xtrace.ProcIdle:
			e.Kind = spec.EvProcSteal
			if e.P == e.CtxP {
				e.Kind = spec.EvProcStop
			}
		default:
			reason = fmt.Sprintf("no model step takes a P from %v to %v", from, to)
		}
	default:
		v.res.Ignored["StateTransition("+st.Resource.Kind.String()+")"]++
	}
	return e, resize, reason
}

// step feeds one event to the machine and the reports. It reports whether
// the event closed a work-conservation window.
func (v *Validator) step(e *spec.ObsEvent, t xtrace.Time) (closed bool, r *spec.Rejection) {
	before := v.win.snapshot(&v.obs, e)
	if r := v.obs.Step(e); r != nil {
		return false, r
	}
	v.res.Transitions++
	v.res.ByKind[e.Kind.String()]++
	if v.obs.Used != spec.AbsNone {
		v.res.Abstracted[v.obs.Used.String()]++
	}
	return v.win.update(&v.obs, e, before, t, v.stw > 0), nil
}

func goState(s xtrace.GoState) spec.GoState {
	switch s {
	case xtrace.GoRunnable:
		return spec.GoRunnable
	case xtrace.GoRunning:
		return spec.GoRunning
	case xtrace.GoSyscall:
		return spec.GoSyscall
	case xtrace.GoWaiting:
		return spec.GoWaiting
	}
	return spec.GoNotExist
}

func procState(s xtrace.ProcState) spec.ProcState {
	switch s {
	case xtrace.ProcIdle:
		return spec.ProcIdle
	case xtrace.ProcRunning:
		return spec.ProcRunning
	}
	return spec.ProcNotExist
}

// goKind maps a goroutine transition to its event kind, or EvNone: the
// model's table (spec.GoTransition), over the tracer's states.
func goKind(from, to xtrace.GoState) spec.EvKind {
	if from == xtrace.GoUndetermined || to == xtrace.GoUndetermined {
		return spec.EvNone
	}
	return spec.GoTransition(goState(from), goState(to))
}

// Finish ends the run and returns its result.
func (v *Validator) Finish() *Result {
	v.res.Goroutines, v.res.Threads, v.res.Procs = len(v.gids), len(v.mids), len(v.pids)
	v.res.Span = time.Duration(v.last - v.first)
	v.win.finish(v.last, v.first)
	v.res.Windows = v.win.report()
	v.res.Sleeps = v.sleeps.report()
	if len(v.res.Abstracted) == 0 {
		v.res.Abstracted = nil
	}
	return &v.res
}

func (v *Validator) reject(ev *xtrace.Event, e *spec.ObsEvent, rule, why string) *Rejection {
	r := &Rejection{
		Index: v.res.Events - 1,
		Time:  time.Duration(ev.Time() - v.first),
		Event: v.describe(ev, e),
		Rule:  rule,
		Why:   v.renameIDs(why),
		State: v.obs.Format(v.names()),
	}
	if s := ev.Stack(); s != xtrace.NoStack {
		var b strings.Builder
		for f := range s.Frames() {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Func, f.File, f.Line)
		}
		r.Stack = strings.TrimRight(b.String(), "\n")
	}
	for _, a := range v.obs.Allowed(e) {
		r.Allowed = append(r.Allowed, v.renameIDs(a))
	}
	v.res.Rejection = r
	return r
}

// Names in output are the trace's: goroutine G<goid>, thread M<tid>, P<id>.
func (v *Validator) names() spec.ObsNames {
	return spec.ObsNames{G: v.gName, P: v.pName, M: v.mName}
}

func (v *Validator) gName(i int32) string {
	if i < 0 || int(i) >= len(v.gids) {
		return "none"
	}
	return fmt.Sprintf("G%d", v.gids[i])
}

func (v *Validator) pName(i int32) string {
	if i < 0 || int(i) >= len(v.pids) {
		return "none"
	}
	return fmt.Sprintf("P%d", v.pids[i])
}

func (v *Validator) mName(i int32) string {
	if i < 0 || int(i) >= len(v.mids) {
		return "none"
	}
	return fmt.Sprintf("M%d", v.mids[i])
}

// renameIDs rewrites the machine's "g3", "m1", "P2" in a message into the
// trace's ids.
func (v *Validator) renameIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if (c == 'g' || c == 'm' || c == 'P') && (i == 0 || !isWord(s[i-1])) && i+1 < len(s) && isDigit(s[i+1]) {
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j == len(s) || !isWord(s[j]) {
				n, _ := strconv.Atoi(s[i+1 : j])
				switch c {
				case 'g':
					b.WriteString(v.gName(int32(n)))
				case 'm':
					b.WriteString(v.mName(int32(n)))
				case 'P':
					b.WriteString(v.pName(int32(n)))
				}
				i = j
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isWord(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// describe renders a transition in the trace's ids.
func (v *Validator) describe(ev *xtrace.Event, e *spec.ObsEvent) string {
	if e.Kind == spec.EvNone {
		var b strings.Builder
		if st := ev.StateTransition(); st.Resource.Kind == xtrace.ResourceGoroutine {
			from, to := st.Goroutine()
			fmt.Fprintf(&b, "%s %v->%v", v.gName(e.G), from, to)
		} else {
			from, to := st.Proc()
			fmt.Fprintf(&b, "%s %v->%v", v.pName(e.P), from, to)
		}
		fmt.Fprintf(&b, " by %s", v.mName(e.M))
		return b.String()
	}
	return v.describeObs(e)
}

// describeObs renders an event in the trace's ids.
func (v *Validator) describeObs(e *spec.ObsEvent) string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	switch e.Kind {
	case spec.EvGoStatus:
		fmt.Fprintf(&b, " %s %v", v.gName(e.G), e.GoState)
	case spec.EvProcStatus:
		fmt.Fprintf(&b, " %s %v", v.pName(e.P), e.ProcState)
	case spec.EvProcStart, spec.EvProcStop, spec.EvProcSteal:
		fmt.Fprintf(&b, " %s", v.pName(e.P))
	default:
		fmt.Fprintf(&b, " %s", v.gName(e.G))
	}
	fmt.Fprintf(&b, " by %s", v.mName(e.M))
	if e.CtxP >= 0 {
		fmt.Fprintf(&b, " (holding %s", v.pName(e.CtxP))
		if e.CtxG >= 0 {
			fmt.Fprintf(&b, ", running %s", v.gName(e.CtxG))
		}
		b.WriteByte(')')
	} else if e.CtxG >= 0 {
		fmt.Fprintf(&b, " (running %s)", v.gName(e.CtxG))
	}
	return b.String()
}

// sortedCounts renders a count map in key order, for text output.
func sortedCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
