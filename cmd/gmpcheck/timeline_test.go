package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

var update = flag.Bool("update", false, "rewrite testdata/timeline/*.json (TestTimelineGolden) and docs/img/go1.17-recheck-timeline.png (TestTimelineScreenshot)")

// recheckArgs checks the workload of golang/go#45867 with its bug switch:
// the counterexample of testdata/traces/go1.17-recheck.txt.
var recheckArgs = []string{"check", "-workload", "testdata/workloads/wakep-transient.txt", "-bug", "go1.17-recheck", "-workers", "1"}

const recheckModel = "testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]"

// pageDataRE finds the JSON a page embeds.
var pageDataRE = regexp.MustCompile(`(?s)<script type="application/json" id="gmp-data">(.*?)</script>`)

// pageDoc returns the timelineDoc a page embeds.
func pageDoc(t *testing.T, page string) *timelineDoc {
	t.Helper()
	m := pageDataRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page embeds no gmp-data:\n%.2000s", page)
	}
	var doc timelineDoc
	if err := json.Unmarshal([]byte(m[1]), &doc); err != nil {
		t.Fatalf("the page's data: %v", err)
	}
	return &doc
}

// externalURLRE matches a CSS or SVG url() that is not a fragment of the
// page itself.
var externalURLRE = regexp.MustCompile(`url\(\s*['"]?[^#'")\s]`)

// assertSelfContained checks that a page loads nothing: no external
// scripts, styles, images or fonts.
func assertSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, bad := range []string{"http://", "https://", " src=", "<link rel=\"stylesheet\"", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page is not self-contained: it contains %q", bad)
		}
	}
	if m := externalURLRE.FindString(page); m != "" {
		t.Errorf("the page is not self-contained: it contains %q", m)
	}
}

// TestTimelineGolden pins the data embedded in the timeline page of the
// go1.17-recheck counterexample (golang/go#45867), and of mutex-leaky's
// lasso (a model without views: lanes by process, states as text). Run
// `go test ./cmd/gmpcheck -run TestTimelineGolden -update` and review the
// diff like code.
func TestTimelineGolden(t *testing.T) {
	t.Chdir("../..")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"go1.17-recheck", recheckArgs},
		{"mutex-leaky", []string{"check", "-model", "mutex-leaky", "-workers", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, page, errOut := gmpcheck(t, append(tc.args, "-format", "html")...)
			if code != exitViolation {
				t.Fatalf("exit %d, want 1\n%s", code, errOut)
			}
			if !strings.HasPrefix(page, "<!doctype html>") {
				t.Fatalf("not an HTML page:\n%.500s", page)
			}
			assertSelfContained(t, page)
			var got bytes.Buffer
			if err := writeJSON(&got, pageDoc(t, page)); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("cmd", "gmpcheck", "testdata", "timeline", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("the page's data differs from %s (go test ./cmd/gmpcheck -run TestTimelineGolden -update, and review the diff):\n%s", golden, firstDiff(got.String(), string(want)))
			}
		})
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, x, y)
		}
	}
	return "(equal)"
}

// TestTimelineOneSource: the page shows the trace that text, JSON and DOT
// show: the same steps and changes as check -json's violation, the states
// of replay's text, and the same page from check and from replaying the
// pinned trace.
func TestTimelineOneSource(t *testing.T) {
	t.Chdir("../..")
	_, page, _ := gmpcheck(t, append(recheckArgs, "-format", "html")...)
	doc := pageDoc(t, page)
	_, out, _ := gmpcheck(t, append(recheckArgs, "-json")...)
	var res checker.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Violation == nil {
		t.Fatalf("check -json: %v\n%s", err, out)
	}
	if len(doc.Steps) != len(res.Violation.Trace) {
		t.Fatalf("the page has %d steps, check -json %d", len(doc.Steps), len(res.Violation.Trace))
	}
	for i, st := range res.Violation.Trace {
		if doc.Steps[i].Step != st {
			t.Errorf("step %d: page %+v, JSON %+v", i, doc.Steps[i].Step, st)
		}
	}
	if doc.Path != res.Violation.Path || doc.Violation == nil || doc.Violation.Step != len(doc.Steps)-1 || doc.Violation.Property != "work-conservation" {
		t.Errorf("path %q violation %+v; want path %s, work-conservation at the last step", doc.Path, doc.Violation, res.Violation.Path)
	}
	if len(doc.Lanes) != 2 || doc.Lanes[0].Name != "m0" || doc.Lanes[1].Name != "m1" {
		t.Errorf("lanes %+v, want m0 and m1", doc.Lanes)
	}
	// The pinned trace's last state is the page's.
	pinned, err := os.ReadFile("testdata/traces/go1.17-recheck.txt")
	if err != nil {
		t.Fatal(err)
	}
	if last := doc.Steps[len(doc.Steps)-1].State; !strings.Contains(string(pinned), last+"\n") {
		t.Errorf("the page's last state is not the pinned trace's:\n%s", last)
	}
	// Replaying the pinned trace draws the same page.
	code, replayed, errOut := gmpcheck(t, "replay", "-format", "html", "testdata/traces/go1.17-recheck.txt")
	if code != exitViolation {
		t.Fatalf("replay: exit %d\n%s", code, errOut)
	}
	if pageDoc(t, replayed).Replay != doc.Replay || replayed != page {
		t.Errorf("replay -format html of the pinned trace differs from check's page")
	}
	// Every changed field the schedtrace text shows is marked in it.
	for i, st := range doc.Steps {
		for _, c := range st.Changed {
			if c.Mark == nil {
				continue
			}
			if c.Mark[0] < 0 || c.Mark[1] > len(st.State) || c.Mark[0] >= c.Mark[1] {
				t.Errorf("step %d: %s marked at %v of %d", i, c.Field, c.Mark, len(st.State))
			}
		}
	}
}

// TestTimelineNothingToDraw: a run without a counterexample writes a page
// that says so.
func TestTimelineNothingToDraw(t *testing.T) {
	code, page, _ := gmpcheck(t, "check", "-model", "mutex", "-format", "html")
	doc := pageDoc(t, page)
	if code != exitOK || len(doc.Steps) != 0 || !strings.Contains(doc.Title, "no counterexample to draw") {
		t.Errorf("exit %d, title %q, %d steps", code, doc.Title, len(doc.Steps))
	}
	code, page, _ = gmpcheck(t, "simulate", "-model", "mutex-racy", "-walks", "50", "-format", "html")
	if doc := pageDoc(t, page); code != exitViolation || len(doc.Steps) == 0 || doc.Violation == nil {
		t.Errorf("simulate -format html: exit %d, %d steps, violation %+v", code, len(doc.Steps), doc.Violation)
	}
	code, _, errOut := gmpcheck(t, "check", "-model", "mutex", "-format", "svg")
	if code != exitUsage || !strings.Contains(errOut, "want text, json, dot or html") {
		t.Errorf("-format svg: exit %d, %q", code, errOut)
	}
}

// exploreServer serves the explorer of model over httptest (127.0.0.1),
// with its counterexample found before it serves.
func exploreServer(t *testing.T, model string) *httptest.Server {
	t.Helper()
	tg, err := lookupTarget(model)
	if err != nil {
		t.Fatal(err)
	}
	ex := newExplorer(tg, false)
	ex.findCounterexample(context.Background(), 100_000)
	srv := httptest.NewServer(ex)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

var (
	actionLinkRE = regexp.MustCompile(`<a class="action[^"]*" href="([^"]+)"><span class="label">([^<]+)</span>`)
	backRE       = regexp.MustCompile(`<a id="back" href="([^"]+)"`)
	forwardRE    = regexp.MustCompile(`<a id="forward" href="([^"]+)"`)
)

// TestExplorer: the explorer's pages over HTTP: the enabled actions as
// links to the paths they lead to, back and forward, the counterexample,
// clear 400 pages for bad paths, and no state kept between requests.
func TestExplorer(t *testing.T) {
	t.Chdir("../..")
	srv := exploreServer(t, recheckModel)
	code, page := get(t, srv.URL+"/?path=0/0/0/0/0/0/0/0/0/0/0/0/1")
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, page)
	}
	assertSelfContained(t, page)
	links := actionLinkRE.FindAllStringSubmatch(page, -1)
	if len(links) != 2 || links[0][2] != "m0 wakep.cas" || links[1][2] != "m1 mspinning" {
		t.Errorf("action links %q, want m0 wakep.cas and m1 mspinning", links)
	}
	if len(links) == 2 && links[1][1] != "/?path=0/0/0/0/0/0/0/0/0/0/0/0/1/1" {
		t.Errorf("the second action leads to %s", links[1][1])
	}
	for _, want := range []string{
		`<code id="path">0/0/0/0/0/0/0/0/0/0/0/0/1</code> (12 steps)`,
		`href="/timeline?path=0/0/0/0/0/0/0/0/0/0/0/0/1"`,
		`id="cex-link" href="/?path=0/0/0/0/0/0/0/0/0/0/0/0/1/1/1/1/1/1/1/1/1/0/0/1/1/1/1/1/1/1/0/1/1/1/1"`,
		"work-conservation (always) violated, 34 steps",
		"54 of 54 always properties hold",
	} {
		if !strings.Contains(page, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Stateless: the same URL, the same page.
	if _, again := get(t, srv.URL+"/?path=0/0/0/0/0/0/0/0/0/0/0/0/1"); again != page {
		t.Errorf("the same URL gave a different page")
	}
	// Back keeps the way forward.
	back := backRE.FindStringSubmatch(page)
	if back == nil {
		t.Fatal("no back link")
	}
	_, prev := get(t, srv.URL+strings.ReplaceAll(back[1], "&amp;", "&"))
	fwd := forwardRE.FindStringSubmatch(prev)
	if fwd == nil || strings.ReplaceAll(fwd[1], "&amp;", "&") != "/?path=0/0/0/0/0/0/0/0/0/0/0/0/1" {
		t.Errorf("back from 0/.../1 offers forward %q", fwd)
	}
	// The counterexample at its violation.
	_, cex := get(t, srv.URL+"/?path=0/0/0/0/0/0/0/0/0/0/0/0/1/1/1/1/1/1/1/1/1/0/0/1/1/1/1/1/1/1/0/1/1/1/1")
	if !strings.Contains(cex, "work-conservation (always) violated") || !strings.Contains(cex, "VIOLATED in this state") {
		t.Errorf("the counterexample's last state does not show the violation")
	}
	// The timeline page of a path.
	code, tl := get(t, srv.URL+"/timeline?path=0/0/0")
	if code != http.StatusOK || len(pageDoc(t, tl).Steps) != 3 || strings.Contains(tl, `id="explore"`) {
		t.Errorf("/timeline: status %d", code)
	}
	// Bad requests: 400 (404, 405) with a clear page, never a 500.
	for _, tc := range []struct {
		url, method string
		status      int
		want        string
	}{
		{"/?path=abc", "GET", 400, "bad path &#34;abc&#34;: path element 1: &#34;abc&#34; is not an index"},
		{"/?path=0/9", "GET", 400, "step 1: action index 9 out of range: 1 actions are enabled"},
		{"/?path=0/0/9", "GET", 400, `The longest part of it that replays: <a id="prefix" href="/?path=0/0">0/0</a>`},
		{"/?path=1", "GET", 400, "initial state 1 out of range: the model has 1"},
		{"/?path=0/-1", "GET", 400, "is not an index"},
		{"/?path=0/99999999999999999999", "GET", 400, "is not an index"},
		{"/?path=0" + strings.Repeat("/0", maxExplorePath), "GET", 400, "the explorer follows at most"},
		{"/timeline", "GET", 400, "The timeline needs a path"},
		{"/timeline?path=0/7", "GET", 400, "action index 7 out of range"},
		{"/favicon.ico", "GET", 404, "There is no page"},
		{"/", "POST", 405, "only answers GET"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: status %d, want %d and %q:\n%s", tc.method, tc.url, resp.StatusCode, tc.status, tc.want, body)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a command's goroutine and the
// test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var exploreURLRE = regexp.MustCompile(`explore     (http://127\.0\.0\.1:\d+/)`)

// TestExploreCommand: gmpcheck explore prints its URL, serves, and stops
// cleanly (exit 0) when interrupted.
func TestExploreCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"explore", "-model", "mutex-racy", "-port", "0"}, &out, &errOut)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := exploreURLRE.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no URL printed:\n%s%s", out.String(), errOut.String())
	}
	code, page := get(t, url)
	if code != http.StatusOK || len(actionLinkRE.FindAllString(page, -1)) != 2 {
		t.Errorf("GET %s: status %d, want the two requests of mutex-racy:\n%.3000s", url, code, page)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(errOut.String(), "explore: stopped") {
			t.Errorf("interrupted: exit %d, stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("explore did not stop")
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("the server still answers after it stopped")
	}
	for _, tc := range [][]string{{"explore", "-port", "70000"}, {"explore", "-check-states", "-1"}, {"explore", "-model", "nosuch"}, {"explore", "extra"}} {
		if code, _, errOut := gmpcheck(t, tc...); code != exitUsage || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", tc, code, errOut)
		}
	}
	code, help, _ := gmpcheck(t, "help", "explore")
	if code != exitOK || !strings.Contains(help, "usage: gmpcheck explore") || !strings.Contains(help, "-port") || !strings.Contains(help, "127.0.0.1") {
		t.Errorf("help explore: exit %d:\n%s", code, help)
	}
}

// TestTimelineEnvLane: the environment's events (a descriptor becoming
// ready, a timer firing) get a lane of their own after the Ms, and user
// steps say which instruction ran.
func TestTimelineEnvLane(t *testing.T) {
	t.Chdir("../..")
	const model = "testdata/workloads/default.txt"
	tg, err := lookupTarget(model)
	if err != nil {
		t.Fatal(err)
	}
	c, err := schedConfig(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.New(c)
	if err != nil {
		t.Fatal(err)
	}
	// A seeded random walk that takes an environment event as soon as
	// one is enabled.
	var path []int
	for seed := uint64(1); path == nil && seed <= 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		p := []int{0}
		s := m.Init()[0]
		for len(p) < 300 {
			acts := m.Actions(&s, nil)
			if len(acts) == 0 {
				break
			}
			i := rng.IntN(len(acts))
			env := false
			for j, a := range acts {
				if strings.HasPrefix(m.FormatAction(a), "env ") {
					i, env = j, true
				}
			}
			p = append(p, i)
			s = m.Next(&s, acts[i])
			if env {
				path = p
				break
			}
		}
	}
	if path == nil {
		t.Fatal("no walk reached an environment event")
	}
	doc, err := tg.timeline(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range doc.Lanes {
		names = append(names, l.Name+":"+l.Kind)
	}
	if want := "[m0:m sysmon:sysmon m2:m m3:m env:env]"; fmt.Sprint(names) != want {
		t.Errorf("lanes %v, want %s", names, want)
	}
	last := doc.Steps[len(doc.Steps)-1]
	if last.Lane != len(doc.Lanes)-1 || last.Ref == nil || last.Ref.M != -1 || last.Ref.Step != "netpoll.ready" {
		t.Errorf("the environment's step: lane %d, ref %+v", last.Lane, last.Ref)
	}
	users := 0
	for i, st := range doc.Steps[1:] {
		if st.Ref != nil && st.Ref.Step == "user" {
			users++
			if !regexp.MustCompile(`^(main|net|short): [a-z]+`).MatchString(st.Ref.Detail) {
				t.Errorf("step %d (%s): detail %q, want the goroutine and its instruction", i+1, st.Action, st.Ref.Detail)
			}
		}
	}
	if users == 0 {
		t.Errorf("no user step on the walk")
	}
}
