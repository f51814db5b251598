package spec

import (
	"fmt"
	"strings"
)

// Views: a state laid out for drawing, for gmpcheck's timeline page and
// explorer (cmd/gmpcheck/timeline.go). Like FormatState and FormatStep this
// is presentation only: nothing here is called by Actions, Next or a
// property, and every name is the one FormatState prints, so that the
// picture and the schedtrace text agree word for word.

// A View is who runs where in a state: the Ms (the timeline's lanes), the
// Ps they hold, and where each goroutine is.
type View struct {
	// Ms lists every M slot of the configuration in index order, created
	// or not (so that a picture keeps its lanes as Ms start).
	Ms []MView `json:"ms"`
	Ps []PView `json:"ps"`
	Gs []GView `json:"gs"`
	// Runq is the global run queue, head first.
	Runq []string `json:"runq"`
	// Pidle and Midle are the idle lists, top of the stack first.
	Pidle []string `json:"pidle"`
	Midle []string `json:"midle"`
	// Lock is the M holding sched.lock, or "".
	Lock         string `json:"lock,omitempty"`
	NMSpinning   int    `json:"nmspinning"`
	NeedSpinning bool   `json:"needspinning,omitempty"`
	// End says how the run ended (the throw, checkdead's report, main's
	// return), or is "".
	End string `json:"end,omitempty"`
}

// An MView is an M: one lane of the timeline. Empty strings are nil.
type MView struct {
	Name     string `json:"name"`
	Sysmon   bool   `json:"sysmon,omitempty"`
	Created  bool   `json:"created"`
	P        string `json:"p,omitempty"`
	NextP    string `json:"nextp,omitempty"`
	CurG     string `json:"curg,omitempty"`
	Spinning bool   `json:"spinning,omitempty"`
	// Idle: the M is on sched.midle.
	Idle bool `json:"idle,omitempty"`
	// At is the step it takes next, inside the calls it is in
	// (FormatState's "at").
	At string `json:"at,omitempty"`
}

// A PView is a P.
type PView struct {
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	M       string   `json:"m,omitempty"`
	Runq    []string `json:"runq"`
	Runnext string   `json:"runnext,omitempty"`
	Timers  []string `json:"timers,omitempty"`
}

// A GView is a goroutine and where it is.
type GView struct {
	Name   string `json:"name"`
	Status string `json:"status"` // FormatState's status
	M      string `json:"m,omitempty"`
	// Place is where the goroutine is, in the runtime's names: "m1"
	// (running or in a syscall on m1), "P0.runq", "P0.runnext",
	// "sched.runq", "m1.gp" (in a local variable of m1, between a queue
	// and execute), "obj0" or "netpoll" (waiting), or "" (dead).
	Place string `json:"place,omitempty"`
	// Kind classifies Place: running, syscall, runq, runnext, globrunq,
	// held, waiting, runnable (in none of those places: between a
	// status change and a queue), dead, idle, preempted.
	Kind string `json:"kind"`
}

// View lays s out for drawing.
func (m *Model) View(s *State) View {
	c := m.C
	sc := &s.Sched
	v := View{
		Runq:         m.names(sc.Runq[:sc.RunqN], m.gRef),
		Pidle:        m.names(sc.Pidle[:], m.pName),
		Midle:        m.names(sc.Midle[:], m.mRef),
		NMSpinning:   int(sc.NMSpinning),
		NeedSpinning: sc.NeedSpinning,
	}
	if sc.Lock != 0 {
		v.Lock = m.mRef(sc.Lock)
	}
	idle := map[string]bool{}
	for _, x := range v.Midle {
		idle[x] = true
	}
	place := make([]string, c.ng())
	kind := make([]string, c.ng())
	put := func(ref uint8, p, k string) {
		if g := int(ref) - 1; g >= 0 && g < len(place) && place[g] == "" {
			place[g], kind[g] = p, k
		}
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		pv := PView{Name: fmt.Sprintf("P%d", p), Status: pStatusNames[pp.Status],
			Runq: m.names(pp.Runq[:pp.RunqN], m.gRef)}
		if pp.M != 0 {
			pv.M = m.mRef(pp.M)
		}
		if pp.Runnext != 0 {
			pv.Runnext = m.gRef(pp.Runnext)
			put(pp.Runnext, pv.Name+".runnext", "runnext")
		}
		for _, g := range pp.Runq[:pp.RunqN] {
			put(g, pv.Name+".runq", "runq")
		}
		if c.Timers {
			pv.Timers = m.maskNames(pp.Timers)
		}
		v.Ps = append(v.Ps, pv)
	}
	for _, g := range sc.Runq[:sc.RunqN] {
		put(g, "sched.runq", "globrunq")
	}
	for i := 0; i < c.nm(); i++ {
		mm := &s.M[i]
		name := m.mName(i)
		mv := MView{Name: name, Sysmon: i == c.sysmonM(), Created: mm.Created}
		if mm.Created {
			mv.P, mv.NextP, mv.CurG = m.nonNil(m.pName(mm.P)), m.nonNil(m.pName(mm.NextP)), m.nonNil(m.gRef(mm.CurG))
			mv.Spinning, mv.Idle, mv.At = mm.Spinning, idle[name], m.where(mm)
			// Gs in the M's hands: found, grabbed or about to be queued.
			gp := "gp"
			if pc(mm.PC) == pcStealRunnext {
				gp = "next"
			}
			put(mm.LG, name+"."+gp, "held")
			put(mm.LG2, name+".gp2", "held")
			for _, g := range mm.Q[:mm.QN] {
				put(g, name+".batch", "held")
			}
			for g := 0; g < c.ng(); g++ {
				if (mm.List|mm.List2)&(1<<g) != 0 {
					put(gref(g), name+".list", "held")
				}
			}
		}
		v.Ms = append(v.Ms, mv)
	}
	for g := 0; g < c.ng(); g++ {
		gs := &s.G[g]
		gv := GView{Name: m.gName(g), Status: gStatusName(gs.Status)}
		if gs.M != 0 {
			gv.M = m.mRef(gs.M)
		}
		switch st := gs.Status &^ _Gscan; {
		case st == _Grunning:
			gv.Place, gv.Kind = gv.M, "running"
		case st == _Gsyscall:
			gv.Place, gv.Kind = gv.M, "syscall"
		case st == _Gwaiting:
			gv.Place, gv.Kind = waitName(gs.Wait), "waiting"
		case st == _Gdead:
			gv.Kind = "dead"
		case st == _Gidle:
			gv.Kind = "idle"
		case place[g] != "":
			gv.Place, gv.Kind = place[g], kind[g]
		case st == _Gpreempted:
			gv.Kind = "preempted"
		default:
			gv.Kind = "runnable"
		}
		v.Gs = append(v.Gs, gv)
	}
	switch {
	case s.Throw != 0:
		v.End = fmt.Sprintf("fatal error: %s (%s)", throws[s.Throw].msg, m.mRef(s.ThrowM))
	case s.Report == reportAllAsleep:
		v.End = "fatal error: all goroutines are asleep - deadlock!"
	case s.Report == reportNoGoroutines:
		v.End = "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"
	case s.Exited:
		v.End = "main returned"
	}
	return v
}

// names renders the non-nil references of refs with name.
func (m *Model) names(refs []uint8, name func(uint8) string) []string {
	out := []string{}
	for _, r := range refs {
		if r != 0 {
			out = append(out, name(r))
		}
	}
	return out
}

func (m *Model) maskNames(mask uint8) []string {
	var out []string
	for ; mask != 0; mask &= mask - 1 {
		out = append(out, m.gName(nthBit(mask, 0)))
	}
	return out
}

func (m *Model) nonNil(name string) string {
	if name == "nil" {
		return ""
	}
	return name
}

// A StepRef names the runtime code an action runs.
type StepRef struct {
	// M is the M that takes the action, or -1 for the environment.
	M int `json:"m"`
	// Step is the step's name ("findRunnable.dropP"), or the
	// environment's event ("netpoll.ready").
	Step string `json:"step"`
	// Detail is the goroutine instruction of a user step ("main: go 1").
	Detail string `json:"detail,omitempty"`
	// Func and Source are the runtime function and its Go 1.26.8 lines
	// ("proc.go:3380-3720"), as the step table of docs/model.md gives
	// them (spec/steplines.go); empty for the environment.
	Func   string `json:"func,omitempty"`
	Source string `json:"source,omitempty"`
}

// StepRef says which step a takes from prev, and where its code is.
func (m *Model) StepRef(prev *State, a Action) StepRef {
	if a.Actor == actorEnv {
		return StepRef{M: -1, Step: envNames[a.Step]}
	}
	name := steps[a.Step].name
	r := StepRef{M: int(a.Actor), Step: name}
	if i := int(a.Step) - 1; i < len(stepSources) && stepSources[i][0] == name {
		r.Func, r.Source = stepSources[i][1], stepSources[i][2]
	}
	if pc(a.Step) == pcUser {
		if g := int(prev.M[a.Actor].CurG) - 1; g >= 0 {
			r.Detail = fmt.Sprintf("%s: %s", m.gName(g), m.C.instr(prev, g))
		}
	}
	return r
}

// A FieldChange is one field of fields (FormatStep's) that a step changed.
// From is "" for a field that appeared (an M created, a local set) and To
// is "" for one that went away.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// ChangedFields lists the fields that differ between prev and next, in
// FormatStep's order: the fields of next, then those that went away.
func (m *Model) ChangedFields(prev, next *State) []FieldChange {
	before, after := m.fields(prev), m.fields(next)
	old := make(map[string]string, len(before))
	for _, kv := range before {
		old[kv[0]] = kv[1]
	}
	now := make(map[string]bool, len(after))
	var ch []FieldChange
	for _, kv := range after {
		now[kv[0]] = true
		if o, ok := old[kv[0]]; !ok || o != kv[1] {
			ch = append(ch, FieldChange{Field: kv[0], From: o, To: kv[1]})
		}
	}
	for _, kv := range before {
		if !now[kv[0]] {
			ch = append(ch, FieldChange{Field: kv[0], From: kv[1]})
		}
	}
	return ch
}

// schedKeys maps the keys of FormatState's SCHED line to the fields they
// show.
var schedKeys = [][2]string{
	{"idleprocs", "npidle"}, {"threads", "mcount"}, {"spinningthreads", "nmspinning"},
	{"needspinning", "needspinning"}, {"idlethreads", "nmidle"}, {"runqueue", "runqueue"},
	{"gcwaiting", "gcwaiting"}, {"nmidlelocked", "nmidlelocked"}, {"stopwait", "stopwait"},
	{"nmsys", "nmsys"}, {"sysmonwait", "sysmonwait"},
	{"lock", "sched.lock"},
}

// FieldSpans locates fields in FormatState(s): for each field of fields
// that the schedtrace text shows, the byte range [from, to) of the text
// that shows it (its value; a goroutine's whole line after its name). The
// fields it does not show (pidle, midle, locals, lastpoll, ...) are
// absent. The SCHED line shows some lists as counts: runqueue is the
// length of sched.runq.
func (m *Model) FieldSpans(s *State) map[string][2]int {
	text := m.FormatState(s)
	spans := map[string][2]int{}
	off := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		body := strings.TrimSuffix(line, "\n")
		m.lineSpans(body, off, spans)
		off += len(line)
	}
	return spans
}

// lineSpans adds the spans of one line of FormatState, which starts at
// byte off of the text.
func (m *Model) lineSpans(line string, off int, spans map[string][2]int) {
	// keyed finds " key=" (or "key=" at from) in order and spans each
	// value to the next key or the end.
	keyed := func(from int, keys [][2]string, tail string) {
		type hit struct {
			field      string
			start, val int
		}
		var hits []hit
		pos := from
		for _, k := range keys {
			i := strings.Index(line[pos:], " "+k[0]+"=")
			if i < 0 {
				continue
			}
			start := pos + i
			hits = append(hits, hit{k[1], start, start + len(k[0]) + 2})
			pos = start + 1
		}
		end := len(line)
		if tail != "" {
			if i := strings.Index(line[pos:], " at "); i >= 0 {
				spans[tail] = [2]int{off + pos + i + 4, off + len(line)}
				end = pos + i
			}
		}
		for j, h := range hits {
			e := end
			if j+1 < len(hits) {
				e = hits[j+1].start
			}
			spans[h.field] = [2]int{off + h.val, off + e}
		}
	}
	switch {
	case strings.HasPrefix(line, "SCHED:"):
		keyed(len("SCHED:"), schedKeys, "")
	case strings.HasPrefix(line, "fatal error: "):
		k := "fatal"
		if strings.Contains(line, ".go:") {
			k = "throw"
		}
		spans[k] = [2]int{off + len("fatal error: "), off + len(line)}
	case strings.HasPrefix(line, "  "):
		head, _, ok := strings.Cut(line[2:], ": ")
		if !ok {
			return
		}
		from := 2 + len(head) + 1 // the space before the first key
		if i := strings.IndexByte(head, '('); i > 0 && head[0] == 'G' {
			name := strings.TrimSuffix(head[i+1:], ")")
			spans[name] = [2]int{off + from + 1, off + len(line)}
			return
		}
		for p := 0; p < m.C.GOMAXPROCS; p++ {
			if head == fmt.Sprintf("P%d", p) {
				keys := [][2]string{{"status", ""}, {"m", ""}, {"runq", ""}, {"runnext", ""}, {"timers", ""}}
				for i := range keys {
					keys[i][1] = head + "." + keys[i][0]
				}
				keyed(from, keys, "")
				return
			}
		}
		for i := 0; i < m.C.nm(); i++ {
			name := m.mName(i)
			if head != strings.ToUpper(name[:1])+name[1:] {
				continue
			}
			keys := [][2]string{{"p", ""}, {"nextp", ""}, {"curg", ""}, {"spinning", ""}, {"park", ""}}
			for i := range keys {
				keys[i][1] = name + "." + keys[i][0]
			}
			keyed(from, keys, name+".at")
			return
		}
	}
}
