package main

// The timeline page: -format html of check, simulate and replay, and the
// explorer's picture (explore.go). One self-contained HTML file: the trace
// as JSON (timelineDoc) and the hand-written CSS and JavaScript of web/,
// embedded in the binary and inlined in the page, so that it opens from
// disk with no network.
//
// The JSON is built from the checker's trace, the same Steps that the text,
// JSON and DOT outputs print, plus the model's presentation hooks: each
// state's FormatState, and for scheduler models spec.View (the Ms as lanes,
// the Ps they hold, where each goroutine is), spec.StepRef (the runtime
// function and proc.go lines of each step) and spec.ChangedFields with
// spec.FieldSpans (the fields a step changed, located in the schedtrace
// text). testdata/timeline pins it (TestTimelineGolden).

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

//go:embed web/page.html web/timeline.css web/timeline.js
var webFS embed.FS

var pageTemplate = template.Must(template.ParseFS(webFS, "web/page.html"))

// timelineVersion is the version of timelineDoc's JSON form.
const timelineVersion = 1

// A timelineDoc is the data of a timeline page: a trace, each state in
// full, what each step changed and, for scheduler models, each state laid
// out for drawing.
type timelineDoc struct {
	Version int    `json:"version"`
	Model   string `json:"model"`
	Config  string `json:"config,omitempty"`
	Doc     string `json:"doc"`
	// Title says what the page shows: the violation, or why there is
	// nothing to draw.
	Title string `json:"title"`
	// Path is the trace's replayable path; Replay the command that
	// prints it as text.
	Path      string             `json:"path,omitempty"`
	Replay    string             `json:"replay,omitempty"`
	Violation *timelineViolation `json:"violation,omitempty"`
	// Lanes are the timeline's rows of actors: for a scheduler model
	// every M of the configuration (sysmon marked), then the environment
	// if it acts; for other models the processes that act (Model.Process).
	Lanes []timelineLane `json:"lanes"`
	Steps []timelineStep `json:"steps"`
}

// A timelineViolation marks where a property fails on the trace.
type timelineViolation struct {
	Property string `json:"property"`
	Kind     string `json:"kind"` // always, eventually, deadlock
	// Step is the index of the state that violates it (for an eventually
	// property, the last state of the lasso).
	Step int `json:"step"`
	// Loop is the index of the state where a lasso's cycle starts: the
	// last step returns to it. -1 if the trace is not a lasso.
	Loop int `json:"loop"`
}

// A timelineLane is one actor.
type timelineLane struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // m, sysmon, env, process
}

// A timelineStep is one state of the trace and the step that led to it.
type timelineStep struct {
	checker.Step
	// Lane is the index in Lanes of the actor; -1 for the initial state.
	Lane int           `json:"lane"`
	Ref  *spec.StepRef `json:"ref,omitempty"`
	// State is the model's FormatState of the state ("" if it has none).
	State   string           `json:"state"`
	Changed []timelineChange `json:"changed,omitempty"`
	View    *spec.View       `json:"view,omitempty"`
}

// A timelineChange is a field the step changed.
type timelineChange struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"` // "" if it appeared
	To    string `json:"to,omitempty"`   // "" if it went away
	// Mark is where State shows it, [from, to) in UTF-16 code units
	// (JavaScript's string indexes); absent if State does not.
	Mark []int `json:"mark,omitempty"`
}

// A stateViewer lays states out for drawing, as spec.Model does.
type stateViewer[S, A any] interface {
	View(s *S) spec.View
	StepRef(prev *S, a A) spec.StepRef
	ChangedFields(prev, next *S) []spec.FieldChange
	FieldSpans(s *S) map[string][2]int
}

// buildTimeline is the page data of trace tr of m, without the model's
// name, title and violation, which the caller knows.
func buildTimeline[S, A any](m checker.Model[S, A], tr *checker.Trace[S, A]) *timelineDoc {
	doc := &timelineDoc{Version: timelineVersion, Path: checker.FormatPath(tr.Path), Lanes: []timelineLane{}}
	steps := tr.Steps(m)
	sf, _ := any(m).(checker.StateFormatter[S])
	vw, _ := any(m).(stateViewer[S, A])
	text := func(i int) string {
		if sf == nil {
			return ""
		}
		return sf.FormatState(&tr.States[i])
	}
	laneOf := map[int]int{} // process -> lane, for models without views
	envLane := -1
	if vw != nil {
		for _, mv := range vw.View(&tr.States[0]).Ms {
			kind := "m"
			if mv.Sysmon {
				kind = "sysmon"
			}
			doc.Lanes = append(doc.Lanes, timelineLane{Name: mv.Name, Kind: kind})
		}
	}
	prevText := text(0)
	for i, st := range steps {
		ts := timelineStep{Step: st, Lane: -1, State: prevText}
		if i > 0 {
			ts.State = text(i)
		}
		s := &tr.States[i]
		if vw != nil {
			v := vw.View(s)
			ts.View = &v
		}
		if i > 0 {
			prev, a := &tr.States[i-1], tr.Actions[i-1]
			switch {
			case vw != nil:
				ref := vw.StepRef(prev, a)
				ts.Ref = &ref
				ts.Lane = ref.M
				if ref.M < 0 {
					if envLane < 0 {
						envLane = len(doc.Lanes)
						doc.Lanes = append(doc.Lanes, timelineLane{Name: "env", Kind: "env"})
					}
					ts.Lane = envLane
				}
				spans := vw.FieldSpans(s)
				for _, c := range vw.ChangedFields(prev, s) {
					tc := timelineChange{Field: c.Field, From: c.From, To: c.To}
					if sp, ok := spans[c.Field]; ok {
						tc.Mark = []int{utf16Len(ts.State[:sp[0]]), utf16Len(ts.State[:sp[1]])}
					}
					ts.Changed = append(ts.Changed, tc)
				}
			default:
				p := st.Process
				l, ok := laneOf[p]
				if !ok {
					l = len(doc.Lanes)
					laneOf[p] = l
					name, _, _ := strings.Cut(st.Action, " ")
					doc.Lanes = append(doc.Lanes, timelineLane{Name: name, Kind: "process"})
				}
				ts.Lane = l
				ts.Changed = tokenChanges(prevText, ts.State)
			}
		}
		prevText = ts.State
		doc.Steps = append(doc.Steps, ts)
	}
	return doc
}

// tokenChanges diffs two renderings of a state without named fields, line
// by line and word by word: each word that differs is a change, named by
// its "key=" if it has one. A line whose number of words changed is marked
// whole.
func tokenChanges(before, after string) []timelineChange {
	var ch []timelineChange
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	off := 0
	for i, line := range al {
		var old []string
		if i < len(bl) {
			old = strings.Fields(bl[i])
		}
		words := wordSpans(line)
		if len(old) != len(words) {
			if i >= len(bl) || bl[i] != line {
				ch = append(ch, timelineChange{Field: fmt.Sprintf("line %d", i+1), To: line,
					Mark: []int{utf16Len(after[:off]), utf16Len(after[:off+len(line)])}})
			}
		} else {
			for j, w := range words {
				nw := line[w[0]:w[1]]
				if nw == old[j] {
					continue
				}
				c := timelineChange{Field: fmt.Sprintf("line %d word %d", i+1, j+1), From: old[j], To: nw}
				from := w[0]
				if k, v, ok := strings.Cut(nw, "="); ok {
					if ok2, ov, found := strings.Cut(old[j], "="); found && ok2 == k {
						c.Field, c.From, c.To = k, ov, v
						from += len(k) + 1
					}
				}
				c.Mark = []int{utf16Len(after[:off+from]), utf16Len(after[:off+w[1]])}
				ch = append(ch, c)
			}
		}
		off += len(line) + 1
	}
	return ch
}

// wordSpans returns the byte ranges of the words of line.
func wordSpans(line string) [][2]int {
	var spans [][2]int
	start := -1
	for i := 0; i <= len(line); i++ {
		space := i == len(line) || line[i] == ' ' || line[i] == '\t'
		switch {
		case space && start >= 0:
			spans = append(spans, [2]int{start, i})
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	return spans
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 && r <= utf8.MaxRune {
			n++
		}
	}
	return n
}

// markViolation records v on doc.
func markViolation(doc *timelineDoc, v *checker.Violation) {
	if v == nil || len(doc.Steps) == 0 {
		return
	}
	step := len(v.Trace) - 1
	if v.Kind == "eventually" {
		step = len(doc.Steps) - 1
	}
	doc.Violation = &timelineViolation{Property: v.Property, Kind: v.Kind, Step: min(step, len(doc.Steps)-1), Loop: v.Loop}
	if v.Kind != "eventually" {
		doc.Violation.Loop = -1
	}
}

// resultTimeline is the page data of a check or simulate result: its
// counterexample, or an empty trace titled with the verdict.
func resultTimeline(t target, res *checker.Result, ro reportOptions) (*timelineDoc, error) {
	v := res.Violation
	if v == nil || v.Path == "" {
		doc := &timelineDoc{Version: timelineVersion, Lanes: []timelineLane{}, Steps: []timelineStep{}}
		doc.Title = verdictLine(t, res, ro.mode) + ": no counterexample to draw"
		return withModel(doc, t), nil
	}
	path, err := checker.ParsePath(v.Path)
	if err != nil {
		return nil, err
	}
	doc, err := t.timeline(path)
	if err != nil {
		return nil, fmt.Errorf("the counterexample's path %s does not replay: %v", v.Path, err)
	}
	doc.Title = violationTitle(v)
	doc.Replay = ro.repro + " -path " + v.Path
	markViolation(doc, v)
	return withModel(doc, t), nil
}

// pathTimeline is the page data of a path: the whole path, with its first
// violation (as replay finds it) marked; it returns that violation too.
func pathTimeline(t target, path []int, noDeadlock bool) (*timelineDoc, *checker.Violation, error) {
	r, err := t.replay(path, noDeadlock)
	if err != nil {
		return nil, nil, err
	}
	doc, err := t.timeline(path)
	if err != nil {
		return nil, nil, err
	}
	doc.Title = "no violation on this path"
	if v := r.violation; v != nil {
		doc.Title = violationTitle(v)
	}
	doc.Replay = reproCommand(t.name, noDeadlock) + " -path " + checker.FormatPath(path)
	markViolation(doc, r.violation)
	return withModel(doc, t), r.violation, nil
}

func withModel(doc *timelineDoc, t target) *timelineDoc {
	doc.Model, doc.Config, doc.Doc = t.name, t.config, t.doc
	return doc
}

// pageData is what web/page.html renders.
type pageData struct {
	Title   string
	Doc     *timelineDoc
	CSS     template.CSS
	JS      template.JS
	Data    template.JS // Doc as JSON
	Explore *exploreView
}

// writePage renders a timeline page, or the explorer's page if ev is not
// nil.
func writePage(w io.Writer, doc *timelineDoc, ev *exploreView) error {
	data, err := json.Marshal(doc) // escapes <, > and &: safe in a script element
	if err != nil {
		return err
	}
	css, err := webFS.ReadFile("web/timeline.css")
	if err != nil {
		return err
	}
	js, err := webFS.ReadFile("web/timeline.js")
	if err != nil {
		return err
	}
	title := doc.Title
	if doc.Model != "" {
		title = doc.Model + ": " + title
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pageData{Title: title, Doc: doc, CSS: template.CSS(css), JS: template.JS(js), Data: template.JS(data), Explore: ev}); err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}

// writeResultHTML prints res's counterexample as a timeline page.
func writeResultHTML(w io.Writer, t target, res *checker.Result, ro reportOptions) error {
	doc, err := resultTimeline(t, res, ro)
	if err != nil {
		return err
	}
	return writePage(w, doc, nil)
}
