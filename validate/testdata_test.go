package validate

import (
	"bytes"
	"context"
	"flag"
	"iter"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the traces of testdata/validate")

// The traces of testdata/validate are small real traces made by the
// programs below (go test ./validate -run TestTestdataTraces -update makes
// new ones), kept so that the command's tests and its users have fixed
// inputs. Their numbers are pinned.
var testdataTraces = []struct {
	file        string
	procs       int
	run         func()
	events      int64 // pinned; 0 while -update
	abstraction string
}{
	{"pingpong.trace", 2, func() {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		for i := 0; i < 20; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}, 152, ""},
	{"coroutine.trace", 1, func() {
		next, stop := iter.Pull(func(yield func(int) bool) {
			for i := 0; i < 5 && yield(i); i++ {
			}
		})
		for _, ok := next(); ok; _, ok = next() {
		}
		stop()
	}, 90, "coroutine created parked"},
}

func TestTestdataTraces(t *testing.T) {
	for _, tt := range testdataTraces {
		path := filepath.Join("..", "testdata", "validate", tt.file)
		if *update {
			if err := os.WriteFile(path, traceOf(t, tt.procs, tt.run), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejection != nil {
			t.Fatalf("%s: rejected: %v", tt.file, res.Rejection)
		}
		t.Logf("%s: %d events, %d transitions, %v", tt.file, res.Events, res.Transitions, res.Abstracted)
		if tt.abstraction != "" && res.Abstracted[tt.abstraction] == 0 {
			t.Errorf("%s: no %q", tt.file, tt.abstraction)
		}
		strict, err := Run(context.Background(), bytes.NewReader(data), Options{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if (strict.Rejection != nil) != (tt.abstraction != "") {
			t.Errorf("%s: -strict rejection %v, want one only for an abstraction", tt.file, strict.Rejection)
		}
		if !*update && res.Events != tt.events {
			t.Errorf("%s: %d events, pinned %d", tt.file, res.Events, tt.events)
		}
	}
}
