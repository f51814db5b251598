package main

import (
	"os/exec"
	"slices"
	"testing"
)

// shellQuote's output, split by shellWords (and by sh, in
// TestShellQuoteWithSh), gives back the word.
func TestShellQuote(t *testing.T) {
	for _, s := range []string{
		"sched", "testdata/workloads/pingpong.txt", "testdata/workloads/pingpong.txt[bug=no-runq-recheck]",
		"a b", "it's", "x;rm -rf /", "$(touch pwned)", "`id`", "a\"b", "back\\slash", "", "'", "''", "a'b'c",
		"tab\there", "star*", "q?",
	} {
		q := shellQuote(s)
		w, err := shellWords("replay -model " + q + " -path 0/1")
		if err != nil || len(w) != 5 || w[2] != s {
			t.Errorf("shellQuote(%q) = %s, split back as %q (%v)", s, q, w, err)
		}
	}
	if got, want := shellQuote("x;rm -rf /"), `'x;rm -rf /'`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	w, err := shellWords(`a "b \"c\" d" 'e f' g\ h`)
	if err != nil || !slices.Equal(w, []string{"a", `b "c" d`, "e f", "g h"}) {
		t.Errorf("shellWords: %q %v", w, err)
	}
	if _, err := shellWords("a 'b"); err == nil {
		t.Error("unterminated quote accepted")
	}
}

// TestShellQuoteWithSh: sh reads shellQuote's output back as the word.
func TestShellQuoteWithSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"it's", "x;touch /tmp/gmpcheck-pwned", "$(id)", "a b", "'", `a"b\c`} {
		out, err := exec.Command(sh, "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh read %s as %q (%v), want %q", shellQuote(s), out, err, s)
		}
	}
}
