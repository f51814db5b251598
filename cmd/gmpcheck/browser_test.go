package main

// Browser tests: the timeline page and the explorer in headless Chromium
// (Debian's package, /usr/bin/chromium; .ci/run installs it), driven with
// chromedp. One browser serves every test (TestMain stops it); each test
// opens tabs in it. The tests skip, saying why, when Chromium is missing.
//
// Screenshots of each page are kept as artefacts in -screenshots (or
// $GMPSPEC_SCREENSHOTS, or os.TempDir()/gmpspec-screenshots);
// `go test ./cmd/gmpcheck -run TestTimelineScreenshot -update` rewrites the
// picture in docs/img.

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

const chromiumPath = "/usr/bin/chromium"

var screenshotsFlag = flag.String("screenshots", "", "directory for the browser tests' screenshots (default $GMPSPEC_SCREENSHOTS, else os.TempDir()/gmpspec-screenshots)")

// The browser shared by the tests.
var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
	browserStop = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserStop()
	if binDir != "" {
		os.RemoveAll(binDir) // gmpcheckBinary's build
	}
	os.Exit(code)
}

// browser returns the context of the shared browser, starting it on first
// use, or skips the test if there is no Chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("skipping the browser test: no Chromium at %s (apt-get install chromium; .ci/run installs it)", chromiumPath)
	}
	browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gmpspec-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			// Without these Chromium floods a closed network with
			// connections that are refused.
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1400, 860),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		browserStop = func() {
			cancel()
			cancelAlloc()
			os.RemoveAll(dir)
		}
		// The first Run starts the browser; it must not have a timeout.
		if err := chromedp.Do(ctx); err != nil {
			browserErr = fmt.Errorf("starting %s: %v", chromiumPath, err)
			return
		}
		browserCtx = ctx
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browserCtx
}

// A tab is a browser tab that records the page's console errors.
type tab struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	// errors are the console errors, uncaught exceptions and error
	// entries of the browser log since the last checkConsole.
	errors []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t))
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				msg = "console." + string(ev.Type)
				for _, a := range ev.Args {
					msg += fmt.Sprintf(" %s%s", a.Description, a.Value)
				}
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				msg = "log: " + ev.Entry.Text + " " + ev.Entry.URL
			}
		}
		if msg != "" {
			tb.mu.Lock()
			tb.errors = append(tb.errors, msg)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 860)); err != nil {
		t.Fatal(err)
	}
	return tb
}

// do runs actions, failing the test on an error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// open loads a page and waits for its script to draw it.
func (tb *tab) open(url string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
}

// follow clicks a link and waits for the page it leads to.
func (tb *tab) follow(sel chromedp.CSS) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		tb.t.Fatalf("following %s: %v", sel, err)
	}
	if resp.Status != 200 {
		tb.t.Errorf("following %s: status %d", sel, resp.Status)
	}
	tb.do(chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
}

// waitFor waits until a JavaScript expression is true.
func (tb *tab) waitFor(expr string) {
	tb.t.Helper()
	tb.do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

// checkConsole fails the test if the page logged errors, and forgets them.
func (tb *tab) checkConsole(what string) {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errors {
		tb.t.Errorf("%s: %s", what, e)
	}
	tb.errors = nil
}

// screenshot saves the viewport as an artefact, and returns the PNG.
func (tb *tab) screenshot(name string) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatal(err)
	}
	dir := *screenshotsFlag
	if dir == "" {
		dir = os.Getenv("GMPSPEC_SCREENSHOTS")
	}
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gmpspec-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s (%d bytes)", file, len(png))
	return png
}

// recheckPage is the timeline page of the go1.17-recheck counterexample,
// made once for the tests that load it.
var recheckPage = sync.OnceValues(func() (int, string) {
	var out, errOut strings.Builder
	code := run(append(recheckArgs, "-format", "html"), &out, &errOut)
	return code, out.String()
})

// writeTimelinePage runs gmpcheck with args (which print a page) and
// writes the page to a file; it returns the file's URL and the page's data.
func writeTimelinePage(t *testing.T, name string, args ...string) (string, *timelineDoc) {
	t.Helper()
	var page, errOut string
	if strings.Join(args, " ") == strings.Join(append(recheckArgs[:len(recheckArgs):len(recheckArgs)], "-format", "html"), " ") {
		_, page = recheckPage()
	} else {
		_, page, errOut = gmpcheck(t, args...)
	}
	if !strings.HasPrefix(page, "<!doctype html>") {
		t.Fatalf("gmpcheck %q printed no page:\n%s", args, errOut)
	}
	file := filepath.Join(t.TempDir(), name+".html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes", name, len(page))
	return "file://" + file, pageDoc(t, page)
}

// schedStates replays path through the scheduler model of spec and
// returns it and the trace: the oracle the pages are checked against.
func schedStates(t *testing.T, model string, path []int) (*spec.Model, *checker.Trace[spec.State, spec.Action]) {
	t.Helper()
	c, err := schedConfig(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.New(c)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := checker.Replay[spec.State, spec.Action](m, path)
	if err != nil {
		t.Fatal(err)
	}
	return m, tr
}

// TestTimelineInBrowser: the timeline of golang/go#45867's counterexample
// loads without console errors, has a lane per M and a row per state, and
// stepping with the keyboard or clicking a mark shows that state in the
// schedtrace form, with the changed fields marked.
func TestTimelineInBrowser(t *testing.T) {
	t.Chdir("../..")
	tb := newTab(t)
	start := time.Now()
	url, doc := writeTimelinePage(t, "go1.17-recheck", append(recheckArgs, "-format", "html")...)
	path, err := checker.ParsePath(doc.Path)
	if err != nil {
		t.Fatal(err)
	}
	m, tr := schedStates(t, recheckModel, path)
	tb.open(url)
	t.Logf("made and loaded in %v (drawn in %s ms)", time.Since(start), eval[string](tb, `document.body.getAttribute('data-draw-ms')`))
	tb.checkConsole("loading the timeline")

	if n := eval[int](tb, `document.querySelectorAll('#timeline th.lane').length`); n != 2 {
		t.Errorf("%d lanes, want 2 (m0, m1)", n)
	}
	if n := eval[int](tb, `document.querySelectorAll('#timeline tr[data-step]').length`); n != len(tr.States) {
		t.Errorf("%d rows, want %d states", n, len(tr.States))
	}
	if n := eval[int](tb, `document.querySelectorAll('#timeline .mark').length`); n != len(tr.Actions) {
		t.Errorf("%d marks, want %d steps", n, len(tr.Actions))
	}
	if got := eval[string](tb, `document.querySelector('tr.violation').getAttribute('data-step')`); got != fmt.Sprint(len(tr.States)-1) {
		t.Errorf("the violation is marked at state %s, want %d", got, len(tr.States)-1)
	}
	if got := eval[string](tb, `document.querySelector('tr[data-step="19"] .mark').textContent`); got != "stealWorkproc.go:3884" {
		t.Errorf("step 19's mark reads %q, want stealWork and its proc.go line", got)
	}
	// The violating state is selected first.
	stateText := `document.getElementById('state').innerText`
	if got, want := eval[string](tb, stateText), m.FormatState(&tr.States[len(tr.States)-1]); got != want {
		t.Errorf("the panel shows\n%s\nwant the violating state\n%s", got, want)
	}
	// Step with the keyboard.
	tb.do(chromedp.KeyEvent(kb.Home))
	for i := 1; i <= 12; i++ {
		tb.do(chromedp.KeyEvent(kb.ArrowRight))
	}
	if got, want := eval[string](tb, stateText), m.FormatState(&tr.States[12]); got != want {
		t.Errorf("after Home and 12 steps right the panel shows\n%s\nwant state 12\n%s", got, want)
	}
	marked := eval[[]string](tb, `Array.from(document.querySelectorAll('#state mark')).map(e => e.textContent)`)
	if want := []string{"mspinning"}; fmt.Sprint(marked) != fmt.Sprint(want) { // step 12: m1 mstart1, m1 -> mspinning
		t.Errorf("state 12 marks %q, want %q", marked, want)
	}
	tb.do(chromedp.KeyEvent(kb.ArrowLeft))
	if got, want := eval[string](tb, stateText), m.FormatState(&tr.States[11]); got != want {
		t.Errorf("after a step left the panel shows\n%s\nwant state 11\n%s", got, want)
	}
	// Click a mark.
	tb.do(chromedp.Click(chromedp.CSS(`tr[data-step="32"] .mark`)))
	if got, want := eval[string](tb, stateText), m.FormatState(&tr.States[32]); got != want {
		t.Errorf("after clicking step 32 the panel shows\n%s\nwant\n%s", got, want)
	}
	if got := eval[string](tb, `document.getElementById('state-title').textContent`); got != "state 32" {
		t.Errorf("panel title %q", got)
	}
	tb.screenshot("timeline-go1.17-recheck-step32")
	tb.checkConsole("stepping through the timeline")
}

// TestTimelineLasso: a liveness counterexample draws its cycle.
func TestTimelineLasso(t *testing.T) {
	tb := newTab(t)
	url, doc := writeTimelinePage(t, "mutex-leaky", "check", "-model", "mutex-leaky", "-format", "html")
	tb.open(url)
	tb.checkConsole("loading the lasso")
	if n := eval[int](tb, `document.querySelectorAll('#timeline tr.cycle').length`); n != len(doc.Steps)-doc.Violation.Loop {
		t.Errorf("%d rows on the cycle, want %d", n, len(doc.Steps)-doc.Violation.Loop)
	}
	if d := eval[string](tb, `(document.querySelector('svg.loop path[d]:not([d^="M0"])') || {getAttribute: () => ''}).getAttribute('d')`); !strings.HasPrefix(d, "M22,") {
		t.Errorf("no loop arrow drawn (path %q)", d)
	}
	if n := eval[int](tb, `document.querySelectorAll('#timeline th.lane').length`); n != 2 {
		t.Errorf("%d lanes, want p0 and p1", n)
	}
	if got := eval[string](tb, `document.getElementById('state').innerText`); got != "lock=true p0=try p1=try" {
		t.Errorf("the panel shows %q", got)
	}
	tb.screenshot("timeline-mutex-leaky")
}

// TestTimelineLongWalk: a 200-step walk of ten Ms (nine workers and
// sysmon) stays usable: it draws and steps quickly.
func TestTimelineLongWalk(t *testing.T) {
	t.Chdir("../..")
	tb := newTab(t)
	// Four Ps, nine worker Ms and sysmon, seven goroutines.
	const model = "testdata/workloads/spawn-heavy.txt[gomaxprocs=4,ms=9,features=sysmon+netpoll]"
	c, err := schedConfig(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.New(c)
	if err != nil {
		t.Fatal(err)
	}
	// A seeded random walk of 200 steps that avoids ending the program
	// (main's exit, a throw) while it can.
	path := []int{0}
	rng := rand.New(rand.NewPCG(1, 0))
	s := m.Init()[0]
	for len(path) < 201 {
		acts := m.Actions(&s, nil)
		var ok []int
		for i, a := range acts {
			if next := m.Next(&s, a); !m.Terminal(&next) {
				ok = append(ok, i)
			}
		}
		if len(ok) == 0 {
			t.Fatalf("the walk %s cannot go on without ending", checker.FormatPath(path))
		}
		i := ok[rng.IntN(len(ok))]
		path = append(path, i)
		s = m.Next(&s, acts[i])
	}
	created := 0
	for i := range s.M {
		if s.M[i].Created {
			created++
		}
	}
	t.Logf("the walk created %d Ms", created)
	start := time.Now()
	url, doc := writeTimelinePage(t, "long-walk", "replay", "-model", model, "-path", checker.FormatPath(path), "-format", "html")
	generated := time.Since(start)
	start = time.Now()
	tb.open(url)
	loaded := time.Since(start)
	tb.checkConsole("loading the long walk")
	if n := eval[int](tb, `document.querySelectorAll('#timeline th.lane').length`); n != 10 {
		t.Errorf("%d lanes, want 10", n)
	}
	if n := eval[int](tb, `document.querySelectorAll('#timeline tr[data-step]').length`); n != 201 || len(doc.Steps) != 201 {
		t.Errorf("%d rows, want 201", n)
	}
	start = time.Now()
	const presses = 10
	tb.do(chromedp.KeyEvent(kb.Home))
	for i := 0; i < presses; i++ {
		tb.do(chromedp.KeyEvent(kb.ArrowRight))
	}
	stepping := time.Since(start) / presses
	if got := eval[string](tb, `document.getElementById('state-title').textContent`); got != fmt.Sprintf("state %d", presses) {
		t.Errorf("after %d steps the panel shows %q", presses, got)
	}
	tb.do(chromedp.KeyEvent(kb.End))
	_, tr := schedStates(t, model, path)
	if got, want := eval[string](tb, `document.getElementById('state').innerText`), m.FormatState(&tr.States[200]); got != want {
		t.Errorf("End shows\n%s\nwant\n%s", got, want)
	}
	drawMs := eval[string](tb, `document.body.getAttribute('data-draw-ms')`)
	t.Logf("200 steps, 10 Ms: generated in %v, loaded in %v (drawn in %s ms), %v per step with the keyboard", generated, loaded, drawMs, stepping)
	// Generous bounds: the machine is shared; the figures above are the
	// point.
	if loaded > 10*time.Second || stepping > time.Second {
		t.Errorf("too slow: loaded in %v, %v per step", loaded, stepping)
	}
	tb.screenshot("timeline-long-walk")
	tb.checkConsole("stepping through the long walk")
}

// TestExplorerInBrowser: the explorer's links are the model's enabled
// actions, following one extends the path in the URL, back and forward
// work, a shared URL shows the same state, and a bad path shows a clear
// page.
func TestExplorerInBrowser(t *testing.T) {
	t.Chdir("../..")
	srv := exploreServer(t, recheckModel)
	tb := newTab(t)
	prefix := []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	m, tr := schedStates(t, recheckModel, prefix)
	tb.open(srv.URL + "/?path=" + checker.FormatPath(prefix))
	tb.checkConsole("loading the explorer")
	labels := `Array.from(document.querySelectorAll('#actions a.action .label')).map(e => e.textContent)`
	s := &tr.States[len(tr.States)-1]
	var want []string
	for _, a := range m.Actions(s, nil) {
		want = append(want, m.FormatAction(a))
	}
	if got := eval[[]string](tb, labels); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("action links %q, want the enabled actions %q", got, want)
	}
	stateText := `document.getElementById('state').innerText`
	if got := eval[string](tb, stateText); got != m.FormatState(s) {
		t.Errorf("the explorer shows\n%s\nwant\n%s", got, m.FormatState(s))
	}
	if n := eval[int](tb, `document.querySelectorAll('#timeline tr[data-step]').length`); n != len(prefix) {
		t.Errorf("the picture has %d rows, want %d", n, len(prefix))
	}
	tb.screenshot("explorer")

	// Follow the second action: the URL and the state follow.
	tb.follow(`#actions li:nth-child(2) a`)
	next := checker.FormatPath(append(prefix[:len(prefix):len(prefix)], 1))
	tb.waitFor(fmt.Sprintf(`document.getElementById('path').textContent === %q`, next))
	loc := eval[string](tb, `location.href`)
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("path") != next {
		t.Errorf("after following an action the URL is %s, want path=%s", loc, next)
	}
	m2, tr2 := schedStates(t, recheckModel, append(prefix[:len(prefix):len(prefix)], 1))
	s2 := &tr2.States[len(tr2.States)-1]
	if got := eval[string](tb, stateText); got != m2.FormatState(s2) {
		t.Errorf("after following an action the explorer shows\n%s\nwant\n%s", got, m2.FormatState(s2))
	}
	gotLabels := eval[[]string](tb, labels)
	tb.checkConsole("following an action")

	// A shared URL restores the same state in another tab.
	other := newTab(t)
	other.open(loc)
	if got := eval[string](other, stateText); got != m2.FormatState(s2) {
		t.Errorf("the shared URL shows\n%s\nwant\n%s", got, m2.FormatState(s2))
	}
	if got := eval[[]string](other, labels); fmt.Sprint(got) != fmt.Sprint(gotLabels) {
		t.Errorf("the shared URL offers %q, the original page %q", got, gotLabels)
	}
	other.checkConsole("opening a shared URL")

	// Back, then forward.
	tb.follow(`#back`)
	tb.waitFor(fmt.Sprintf(`document.getElementById('path').textContent === %q`, checker.FormatPath(prefix)))
	tb.follow(`#forward`)
	tb.waitFor(fmt.Sprintf(`document.getElementById('path').textContent === %q`, next))

	// Jump to the counterexample.
	tb.follow(`#cex-link`)
	tb.waitFor(`document.getElementById('title').textContent.indexOf('work-conservation (always) violated') >= 0`)
	if n := eval[int](tb, `document.querySelectorAll('#timeline tr[data-step]').length`); n != 35 {
		t.Errorf("the counterexample has %d states, want 35", n)
	}
	if got := eval[[]string](tb, `Array.from(document.querySelectorAll('#props tr.bad code')).map(e => e.textContent)`); fmt.Sprint(got) != "[work-conservation]" {
		t.Errorf("the counterexample's last state shows violated properties %q, want work-conservation", got)
	}
	if !eval[bool](tb, `document.getElementById('props-box').open`) {
		t.Errorf("the properties are folded away although one is violated")
	}
	tb.screenshot("explorer-counterexample")
	tb.checkConsole("jumping to the counterexample")

	// A bad path: a clear page.
	tb.do(chromedp.Navigate(srv.URL + "/?path=0/0/9"))
	if got := eval[string](tb, `document.getElementById('message').textContent`); !strings.Contains(got, "step 2: action index 9 out of range: 1 actions are enabled") {
		t.Errorf("the bad path's page says %q", got)
	}
	tb.screenshot("explorer-bad-path")
}

// TestTimelineScreenshot takes the picture of golang/go#45867's timeline
// that docs/bugs.md and README.md show; -update writes it to
// docs/img/go1.17-recheck-timeline.png.
func TestTimelineScreenshot(t *testing.T) {
	t.Chdir("../..")
	tb := newTab(t)
	url, _ := writeTimelinePage(t, "go1.17-recheck", append(recheckArgs, "-format", "html")...)
	tb.do(chromedp.EmulateViewport(1400, 960))
	tb.open(url)
	tb.checkConsole("loading the timeline")
	png := tb.screenshot("go1.17-recheck-timeline")
	if *update {
		out := filepath.Join("docs", "img", "go1.17-recheck-timeline.png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out)
	}
}
