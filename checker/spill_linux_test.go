package checker

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// unreadable is triple that, at its nth step, makes spill files of the
// process unreadable: the two level lists' (made first, so with the
// lowest descriptors) or else the workers' candidate files. Each
// descriptor is replaced by one of /dev/null opened for writing only, so
// reads fail (EBADF) and writes still succeed.
type unreadable struct {
	triple
	n      int64
	levels bool
	steps  *atomic.Int64
	t      *testing.T
}

func (m unreadable) Next(s *tst, a int) tst {
	if m.steps.Add(1) == m.n {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			m.t.Error(err)
			return m.triple.Next(s, a)
		}
		defer null.Close()
		var fds []int
		ents, _ := os.ReadDir("/proc/self/fd")
		for _, e := range ents {
			target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
			if fd, err := strconv.Atoi(e.Name()); err == nil && strings.Contains(target, "gmpspec-spill-") {
				fds = append(fds, fd)
			}
		}
		slices.Sort(fds)
		if m.levels {
			fds = fds[:2]
		} else {
			fds = fds[2:]
		}
		for _, fd := range fds {
			if err := syscall.Dup3(int(null.Fd()), fd, 0); err != nil {
				m.t.Error(err)
			}
		}
	}
	return m.triple.Next(s, a)
}

// TestSpillUnreadable: a spill file that cannot be read back (a broken
// disk) ends the run as incomplete, naming the error, without a panic and
// without a checkpoint, wherever the read fails: in a worker reading the
// frontier, or in phase 3 reading candidates back, at one and two workers.
func TestSpillUnreadable(t *testing.T) {
	for _, w := range []int{1, 2} {
		for _, n := range []int64{2000, 50000, 150000} {
			for _, levels := range []bool{false, true} {
				m := unreadable{triple: triple{n: 40, bad: 40}, n: n, levels: levels, steps: new(atomic.Int64), t: t}
				ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
				r := Check(context.Background(), Model[tst, int](m), Options{Workers: w, Spill: t.TempDir(), Checkpoint: ck, roundBlocks: 2})
				want := "spill: reading the candidates back"
				if levels {
					want = "spill: reading the states back"
				}
				if r.Verdict != VerdictIncomplete || !strings.Contains(r.Incomplete, want) || !strings.Contains(r.Incomplete, "bad file descriptor") {
					t.Fatalf("%d workers, unreadable after step %d (levels %v): %s (%s); want an incomplete run saying %q", w, n, levels, r.Verdict, r.Incomplete, want)
				}
				if r.Checkpoints != 0 {
					t.Fatalf("%d workers, unreadable after step %d (levels %v): %d checkpoints of a broken level", w, n, levels, r.Checkpoints)
				}
			}
		}
	}
}
