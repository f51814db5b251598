package main

// gmpcheck explore: a local web page to walk a model's state space, one
// enabled action at a time, as Stateright's Explorer does. The server keeps
// no state beyond the model (and the counterexample of a bounded check run
// once at startup): the path walked so far is in the URL, /?path=0/2/1, so
// that reloading, the browser's history and a shared link all show the same
// state. Each page is the timeline of the path so far (timeline.go) with
// the enabled actions as links, the properties' values in the current state
// and the path as a replayable string.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

// maxExplorePath bounds the paths the explorer replays, so that a URL
// cannot make it work for long.
const maxExplorePath = 5000

type exploreFlags struct {
	fs          *flag.FlagSet
	model       string
	port        int
	noDeadlock  bool
	checkStates int64
	config      *configFlags
}

func newExploreFlags() *exploreFlags {
	f := &exploreFlags{fs: flag.NewFlagSet("explore", flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.model, "model", defaultModel(), "the `NAME` of the model to explore (see 'gmpcheck list')")
	fs.IntVar(&f.port, "port", 0, "serve on 127.0.0.1:`PORT`; 0 picks a free port (the URL is printed)")
	fs.BoolVar(&f.noDeadlock, "no-deadlock", false, "do not report a state without enabled actions as a deadlock")
	fs.Int64Var(&f.checkStates, "check-states", 1_000_000, "at startup, check at most `N` states for a counterexample to jump to; 0 skips the check")
	f.config = newConfigFlags(fs)
	return f
}

func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newExploreFlags()
	t, code, ok := parseCommand(f.fs, args, &f.model, f.config, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case f.port < 0 || f.port > 65535:
		return fail(stderr, fmt.Errorf("explore: -port %d: want 0 to 65535", f.port))
	case f.checkStates < 0:
		return fail(stderr, fmt.Errorf("explore: -check-states %d is negative", f.checkStates))
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(f.port)))
	if err != nil {
		return fail(stderr, fmt.Errorf("explore: %v", err))
	}
	ex := newExplorer(t, f.noDeadlock)
	checkCtx, stopCheck := context.WithCancel(ctx)
	defer stopCheck()
	if f.checkStates > 0 {
		go ex.findCounterexample(checkCtx, f.checkStates)
	} else {
		ex.cex.Store(&cexState{done: true, note: "no check was run (-check-states 0)"})
	}
	srv := &http.Server{Handler: ex, ReadHeaderTimeout: 10 * time.Second}
	writeModelLines(stdout, t)
	fmt.Fprintf(stdout, "explore     http://%s/   (Ctrl-C stops)\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		stopCheck()
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutCtx); err != nil {
			srv.Close()
		}
		fmt.Fprintf(stderr, "gmpcheck: explore: stopped\n")
		return exitOK
	case err := <-served:
		fmt.Fprintf(stderr, "gmpcheck: explore: %v\n", err)
		return exitFailed
	}
}

// An explorer serves a model's states. It is an http.Handler:
//
//	/?path=0/2/1[&fwd=0/2/1/3]   the state the path leads to, its enabled actions and properties
//	/timeline?path=0/2/1         the path as a timeline page (as replay -format html prints it)
//
// fwd is where "forward" leads after "back": the path that was left.
type explorer struct {
	t          target
	noDeadlock bool
	// cex is what the startup check found, once it is known.
	cex atomic.Pointer[cexState]
}

// cexState is the startup check's outcome.
type cexState struct {
	done bool
	// link is the counterexample, if the check found one.
	link *cexLink
	// note says what the check found otherwise (or that it is running).
	note string
}

// A cexLink points at a counterexample.
type cexLink struct {
	Title    string
	Steps    int
	Href     string
	Timeline string
}

func newExplorer(t target, noDeadlock bool) *explorer {
	return &explorer{t: t, noDeadlock: noDeadlock}
}

// findCounterexample runs a check bounded by maxStates and records its
// counterexample for "jump to the counterexample".
func (ex *explorer) findCounterexample(ctx context.Context, maxStates int64) {
	ex.cex.Store(&cexState{note: fmt.Sprintf("looking for a counterexample (a check of at most %d states); reload to see it", maxStates)})
	res := ex.t.check(ctx, checker.Options{
		Symmetry:      isSchedSpec(ex.t.name),
		AllowDeadlock: ex.noDeadlock,
		MaxStates:     maxStates,
	})
	st := &cexState{done: true, note: "the check at startup: " + verdictLine(ex.t, res, modeCheck)}
	if v := res.Violation; v != nil && v.Path != "" {
		st.link = &cexLink{Title: violationTitle(v), Steps: len(v.Trace) - 1, Href: "/?path=" + v.Path, Timeline: "/timeline?path=" + v.Path}
	}
	ex.cex.Store(st)
}

// An exploreView is what the explorer's page shows besides the timeline.
type exploreView struct {
	Path     string
	Steps    int
	Back     string
	Forward  string
	Timeline string
	Actions  []exploreAction
	// Props are the properties' values, the violated first;
	// PropsSummary counts them and PropsBad says some is violated.
	Props        []propValue
	PropsSummary string
	PropsBad     bool
	Status       string
	// Counterexample is the startup check's, if it found one; CheckNote
	// says what it found otherwise.
	Counterexample *cexLink
	CheckNote      string
}

// An exploreAction is an enabled action: its label (FormatAction) and the
// URL of the state it leads to.
type exploreAction struct {
	Label   string
	Href    string
	Source  string // the runtime step and source line, for scheduler models
	Forward bool   // it is the step "forward" takes
}

// A propValue is a property's value in a state.
type propValue struct {
	Name, Kind, Value string
	Bad               bool
}

// explored is a path followed for the explorer.
type explored struct {
	doc      *timelineDoc
	actions  []exploredAction
	props    []propValue
	terminal bool
	// valid is, when the path does not replay, its longest prefix that
	// does.
	valid []int
}

type exploredAction struct {
	label string
	ref   *spec.StepRef
}

// explorePath follows path through m.
func explorePath[S, A any](m checker.Model[S, A], path []int) (*explored, error) {
	tr, err := checker.Replay(m, path)
	if err != nil {
		e := &explored{}
		if tr != nil && len(tr.States) > 0 {
			e.valid = path[:len(tr.States)]
		}
		return e, err
	}
	e := &explored{doc: buildTimeline(m, tr)}
	s := &tr.States[len(tr.States)-1]
	vw, _ := any(m).(stateViewer[S, A])
	for _, a := range m.Actions(s, nil) {
		ea := exploredAction{label: m.FormatAction(a)}
		if vw != nil {
			ref := vw.StepRef(s, a)
			ea.ref = &ref
		}
		e.actions = append(e.actions, ea)
	}
	for _, p := range m.Properties() {
		holds := p.Cond(s)
		pv := propValue{Name: p.Name, Kind: p.Expect.String()}
		switch p.Expect {
		case checker.ExpectAlways:
			pv.Value, pv.Bad = "holds", !holds
			if !holds {
				pv.Value = "VIOLATED in this state"
			}
		case checker.ExpectSometimes:
			pv.Value = "not in this state"
			if holds {
				pv.Value = "reached in this state"
			}
		case checker.ExpectEventually:
			pv.Value = "does not hold yet"
			if holds {
				pv.Value = "holds in this state"
			}
			if p.Trigger != nil {
				trig := "no"
				if p.Trigger(s) {
					trig = "yes"
				}
				pv.Value = "trigger " + trig + "; goal " + map[bool]string{true: "holds", false: "does not hold"}[holds]
			}
		}
		e.props = append(e.props, pv)
	}
	if term, ok := any(m).(checker.Terminator[S]); ok {
		e.terminal = term.Terminal(s)
	}
	return e, nil
}

func (ex *explorer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		ex.errorPage(w, http.StatusMethodNotAllowed, "method not allowed", "The explorer only answers GET requests.", "")
		return
	}
	switch r.URL.Path {
	case "/":
		ex.serveState(w, r)
	case "/timeline":
		ex.serveTimeline(w, r)
	default:
		ex.errorPage(w, http.StatusNotFound, "not found", fmt.Sprintf("There is no page %q: the explorer serves / and /timeline.", r.URL.Path), "")
	}
}

// pathParam reads a path from the query, "0" (the first initial state)
// if it has none.
func pathParam(r *http.Request, name string, def string) ([]int, string, error) {
	text := strings.TrimSpace(r.URL.Query().Get(name))
	if text == "" {
		text = def
	}
	path, err := checker.ParsePath(text)
	if err != nil {
		return nil, text, fmt.Errorf("bad path %q: %v", text, err)
	}
	if len(path) > maxExplorePath {
		return nil, text, fmt.Errorf("the path has %d steps; the explorer follows at most %d (use gmpcheck replay)", len(path)-1, maxExplorePath-1)
	}
	return path, checker.FormatPath(path), nil
}

func (ex *explorer) serveState(w http.ResponseWriter, r *http.Request) {
	path, text, err := pathParam(r, "path", "0")
	if err != nil {
		ex.errorPage(w, http.StatusBadRequest, "bad path", err.Error(), "")
		return
	}
	e, err := ex.t.explore(path)
	if err != nil {
		prefix := ""
		if e != nil && len(e.valid) > 0 {
			prefix = checker.FormatPath(e.valid)
		}
		ex.errorPage(w, http.StatusBadRequest, "bad path", fmt.Sprintf("The path %s does not replay in model %s: %v.", text, ex.t.name, err), prefix)
		return
	}
	doc := withModel(e.doc, ex.t)
	doc.Title = fmt.Sprintf("state %d of the path", len(path)-1)
	doc.Replay = reproCommand(ex.t.name, ex.noDeadlock) + " -path " + text
	if rp, err := ex.t.replay(path, ex.noDeadlock); err == nil && rp.violation != nil {
		v := rp.violation
		markViolation(doc, v)
		if v.Kind == "eventually" && v.Loop < 0 {
			doc.Violation = nil // a path that merely has not got there yet
		} else {
			doc.Title += ": " + violationTitle(v)
		}
	}
	ev := &exploreView{Path: text, Steps: len(path) - 1, Timeline: "/timeline?path=" + text}
	ev.Props, ev.PropsSummary, ev.PropsBad = sortProps(e.props)
	// Forward: the path that was left by going back, if this is a prefix
	// of it.
	fwd, fwdText, ferr := pathParam(r, "fwd", "")
	if ferr != nil || len(fwd) <= len(path) || !isPrefix(path, fwd) {
		fwd, fwdText = nil, ""
	}
	if len(path) > 1 {
		keep := fwdText
		if keep == "" {
			keep = text
		}
		ev.Back = "/?path=" + checker.FormatPath(path[:len(path)-1]) + "&fwd=" + keep
	}
	if fwd != nil {
		ev.Forward = "/?path=" + checker.FormatPath(fwd[:len(path)+1])
		if len(fwd) > len(path)+1 {
			ev.Forward += "&fwd=" + fwdText
		}
	}
	for i, a := range e.actions {
		next := text + "/" + strconv.Itoa(i)
		ea := exploreAction{Label: a.label, Href: "/?path=" + next}
		if fwd != nil && fwd[len(path)] == i {
			ea.Forward = true
			ea.Href = ev.Forward
		}
		if a.ref != nil && a.ref.Source != "" {
			ea.Source = a.ref.Step + ", " + shortSource(a.ref.Source)
		}
		ev.Actions = append(ev.Actions, ea)
	}
	switch {
	case len(e.actions) > 0:
	case e.terminal:
		ev.Status = "no action is enabled: the run has ended (a terminal state)"
	case ex.noDeadlock:
		ev.Status = "no action is enabled (deadlocks are not reported: -no-deadlock)"
	default:
		ev.Status = "no action is enabled: a deadlock"
	}
	if st := ex.cex.Load(); st == nil {
		ev.CheckNote = "no counterexample check has run"
	} else {
		ev.Counterexample, ev.CheckNote = st.link, st.note
	}
	ex.writePage(w, doc, ev)
}

func (ex *explorer) serveTimeline(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSpace(r.URL.Query().Get("path")) == "" {
		ex.errorPage(w, http.StatusBadRequest, "no path", "The timeline needs a path: /timeline?path=0/2/1.", "")
		return
	}
	path, text, err := pathParam(r, "path", "")
	if err != nil {
		ex.errorPage(w, http.StatusBadRequest, "bad path", err.Error(), "")
		return
	}
	doc, _, err := pathTimeline(ex.t, path, ex.noDeadlock)
	if err != nil {
		prefix := ""
		if e, _ := ex.t.explore(path); e != nil && len(e.valid) > 0 {
			prefix = checker.FormatPath(e.valid)
		}
		ex.errorPage(w, http.StatusBadRequest, "bad path", fmt.Sprintf("The path %s does not replay in model %s: %v.", text, ex.t.name, err), prefix)
		return
	}
	ex.writePage(w, doc, nil)
}

func (ex *explorer) writePage(w http.ResponseWriter, doc *timelineDoc, ev *exploreView) {
	var b bytes.Buffer
	if err := writePage(&b, doc, ev); err != nil {
		ex.errorPage(w, http.StatusInternalServerError, "internal error", "gmpcheck could not render the page: "+err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>gmpcheck explore: {{.Title}}</title>
<style>body { font: 14px/1.5 system-ui, sans-serif; margin: 24px; color: #1f2328; } h1 { font-size: 18px; color: #cf222e; } code { font-size: 13px; }</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p id="message">{{.Message}}</p>
{{- if .Prefix}}
<p>The longest part of it that replays: <a id="prefix" href="{{.PrefixHref}}">{{.Prefix}}</a></p>
{{- end}}
<p>Model <code>{{.Model}}</code>. <a href="/">Start from the initial state</a>.</p>
</body>
</html>
`))

// errorPage answers with status and a page that says what is wrong;
// prefix, if not empty, is a path to offer instead.
func (ex *explorer) errorPage(w http.ResponseWriter, status int, title, msg, prefix string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	errorTemplate.Execute(w, struct{ Title, Message, Prefix, PrefixHref, Model string }{title, msg, prefix, "/?path=" + prefix, ex.t.name})
}

// sortProps puts the violated properties first and counts them by kind.
func sortProps(props []propValue) (sorted []propValue, summary string, bad bool) {
	var nbad, always, sometimes, reached, eventually int
	for _, p := range props {
		if p.Bad {
			sorted = append(sorted, p)
			nbad++
		}
		switch p.Kind {
		case "always":
			always++
		case "sometimes":
			sometimes++
			if strings.HasPrefix(p.Value, "reached") {
				reached++
			}
		case "eventually":
			eventually++
		}
	}
	for _, p := range props {
		if !p.Bad {
			sorted = append(sorted, p)
		}
	}
	summary = fmt.Sprintf("%d of %d always properties hold", always-nbad, always)
	if nbad > 0 {
		summary = fmt.Sprintf("%d of %d always properties VIOLATED", nbad, always)
	}
	if sometimes > 0 {
		summary += fmt.Sprintf("; %d of %d sometimes properties reached", reached, sometimes)
	}
	if eventually > 0 {
		summary += fmt.Sprintf("; %d eventually", eventually)
	}
	return sorted, summary, nbad > 0
}

func isPrefix(p, q []int) bool {
	if len(p) > len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// shortSource is a source's first line, "proc.go:3389" of
// "proc.go:3389-3798".
func shortSource(src string) string {
	if i := strings.IndexByte(src, '-'); i > 0 && strings.Contains(src[:i], ".go:") {
		return src[:i]
	}
	if strings.HasPrefix(src, "user code") {
		return "user code"
	}
	return src
}
