package spec

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"unsafe"

	"github.com/gmpspec/gmpspec/checker"
)

// The merges of docs/model.md's table that issue 13 asked to split or prove
// sound. Each has a split variant (Config.split): the merged accesses as
// separate steps, as in the source. TestMergesSound checks, for each, that
// the split and the merged model reach the same states projected on the
// shared variables and give the same verdict, on pinned configurations that
// exercise the merge (the spinning gate's and handoffp's torn reads need 3
// Ps). A merge that fails this is not sound and must be split in the model.

// collecting wraps a Model so that every reachable state's projection is
// recorded, by an invariant that always holds.
type collecting struct {
	*Model
	mu   sync.Mutex
	seen map[State]struct{}
}

func (m *collecting) Properties() []checker.Property[State] {
	return append(m.Model.Properties(), checker.Always("collect", func(s *State) bool {
		for i := range s.M {
			if pc(s.M[i].PC) == pcParkNetCommit {
				// Inside netpollblockcommit's window (published, not
				// yet counted): a state the merged model has no
				// counterpart of by construction. What the window
				// leads to is compared after it.
				return true
			}
		}
		p := project(m.C, s)
		m.mu.Lock()
		m.seen[p] = struct{}{}
		m.mu.Unlock()
		return true
	}))
}

// project keeps the shared variables: the Gs, the Ps, sched, how a run
// ended, and the fields of an M that other threads read or write (m.p,
// m.nextp, m.oldp, m.curg, m.spinning, the park note, whether it exists);
// it drops each M's pc, call stack and locals, and sched.pollingNet, which
// only the split netpoll(0) has. Ps and worker Ms are then
// renamed to the least such state over all renamings, so that states the
// two models explore as different representatives of one symmetry class
// compare equal.
func project(c *Config, s *State) State {
	t := *s
	t.Sched.PollingNet = false // the split netpoll(0)'s own variable
	for i := range t.M {
		mm := &t.M[i]
		*mm = M{P: mm.P, NextP: mm.NextP, OldP: mm.OldP, CurG: mm.CurG, Spinning: mm.Spinning, Park: mm.Park,
			Created: mm.Created, Started: mm.Started, StartFn: mm.StartFn}
	}
	np := c.GOMAXPROCS
	var workers []int
	for i := 0; i < c.nm(); i++ {
		if i != c.sysmonM() && i < int(t.Sched.MNext) {
			workers = append(workers, i)
		}
	}
	best, bestKey := t, stateKey(&t)
	var pp [MaxP + MaxM]uint8
	var mp [MaxM]uint8
	permute(np, func(ps []int) {
		for i, p := range ps {
			pp[i] = uint8(p)
		}
		permute(len(workers), func(ms []int) {
			for i := range mp {
				mp[i] = uint8(i)
			}
			for i, w := range ms {
				mp[workers[i]] = uint8(workers[w])
			}
			var u State
			applyPerm(c, &t, &pp, &mp, &u)
			if k := stateKey(&u); k < bestKey {
				best, bestKey = u, k
			}
		})
	})
	return best
}

func stateKey(s *State) string {
	return string(unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s)))
}

// permute calls f with every permutation of 0..n-1.
func permute(n int, f func([]int)) {
	a := make([]int, n)
	for i := range a {
		a[i] = i
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(a)
			return
		}
		for i := k; i < n; i++ {
			a[k], a[i] = a[i], a[k]
			rec(k + 1)
			a[k], a[i] = a[i], a[k]
		}
	}
	rec(0)
}

// reach checks c (symmetry on) and returns the projections of its states
// and its verdict with the violated property, if any.
func reach(t *testing.T, c *Config) (map[State]struct{}, string, *checker.Result) {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	cm := &collecting{Model: m, seen: map[State]struct{}{}}
	r := checker.Check(context.Background(), checker.Model[State, Action](cm), checker.Options{Symmetry: true})
	verdict := string(r.Verdict)
	if r.Violation != nil {
		verdict += " " + r.Violation.Property
	}
	return cm.seen, verdict, r
}

// mergeCases are the pinned configurations of TestMergesSound: for each
// merge, workloads where its accesses race with the writes they read (the
// split variant's own step must fire), small enough for a few seconds.
var mergeCases = []struct {
	split     splitSet
	step      string // a step only the split variant has, which must fire
	workload  string
	procs, ms int // overrides, if nonzero
}{
	{splitSpinGate, "findRunnable.spinning?.npidle", "wakep-transient", 3, 0},
	{splitSpinGate, "findRunnable.spinning?.npidle", "pingpong", 3, 2},
	{splitSpinGate, "findRunnable.spinning?.npidle", "spawn-heavy", 3, 2},
	{splitHandoffpSum, "handoffp.npidle", "syscall-steal", 3, 2},
	{splitHandoffpSum, "handoffp.npidle", "sysmon-syscall", 3, 1},
	{splitNetpoll0, "findRunnable.netpoll(0).poll", "netpoll", 0, 2},
	{splitNetpoll0, "findRunnable.netpoll(0).poll", "inject-overflow", 0, 0},
	{splitNetpollCommit, "netpollblockcommit.netpollAdjustWaiters", "netpoll", 0, 2},
	{splitNetpollCommit, "netpollblockcommit.netpollAdjustWaiters", "inject-overflow", 0, 0},
}

// TestMergesSound: for each merge, the split and the merged model reach
// the same projected states and give the same verdict.
func TestMergesSound(t *testing.T) {
	for _, mc := range mergeCases {
		t.Run(fmt.Sprintf("%s/%s", mc.step, mc.workload), func(t *testing.T) {
			c := load(t, mc.workload)
			if mc.procs != 0 {
				c.GOMAXPROCS = mc.procs
			}
			if mc.ms != 0 {
				c.Ms = mc.ms
			}
			merged, mv, mr := reach(t, c)
			cs := *c
			cs.split = mc.split
			split, sv, sr := reach(t, &cs)
			t.Logf("merged: %d states, %d projected, %s; split: %d states, %d projected, %s",
				mr.DistinctStates, len(merged), mv, sr.DistinctStates, len(split), sv)
			if sr.Coverage[mc.step] == 0 {
				t.Errorf("the split step %s never fired: the configuration does not exercise the merge", mc.step)
			}
			if mv != sv {
				t.Errorf("verdicts differ: merged %s, split %s", mv, sv)
			}
			var onlySplit, onlyMerged []string
			for s := range split {
				if _, ok := merged[s]; !ok {
					onlySplit = append(onlySplit, fmt.Sprint(s.Sched))
				}
			}
			for s := range merged {
				if _, ok := split[s]; !ok {
					onlyMerged = append(onlyMerged, fmt.Sprint(s.Sched))
				}
			}
			sort.Strings(onlySplit)
			sort.Strings(onlyMerged)
			if len(onlySplit) > 0 || len(onlyMerged) > 0 {
				t.Errorf("%d projected states only in the split model, %d only in the merged one; first: %v %v",
					len(onlySplit), len(onlyMerged), first(onlySplit), first(onlyMerged))
			}
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return s[0]
}
