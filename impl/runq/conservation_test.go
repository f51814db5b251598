package runq

// Conservation under load
//
// The history rounds are short so that porcupine can check them. This test
// is long and checks less: every G readied is obtained exactly once. It
// runs a scheduler in miniature: each of several Ps, on its own goroutine,
// either readies new Gs (runqput with or without next, runqputbatch with
// the leftovers put one by one) or looks for work as findRunnable does, in
// the same order: runqget, then the global queue (one G by globrunqget,
// where the runtime takes a batch with globrunqgetbatch), then runqsteal
// from a random P, with or without stealRunNextG. Only half the Ps ready
// Gs, so that the others live on what they steal. Every P is an owner and
// a victim, and steals only when its own queue is empty, as runqsteal
// requires (proc.go:3866-3877). When as many Gs are obtained as are to be
// readied, the Ps stop; anything left in a queue counts as obtained once
// more, which makes a G taken twice show up as such. A G lost leaves the
// Ps searching; a watchdog stops the run when nothing has been obtained
// for a while.
//
// Reference: proc.go:3469-3490 and 3884 (findRunnable's order), 7445-7747.

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type conserveConfig struct {
	cap       int
	ps        int
	producers int // Ps 0 to producers-1 ready Gs; the others only look for work
	gs        int // Gs readied in all
	seed      uint64
	bugs      Bugs
	stall     time.Duration // how long without progress before giving up
}

// conserveStats counts where the Ps found their Gs.
type conserveStats struct {
	local, global, stolen, stolenRunnext atomic.Int64
}

func (st *conserveStats) String() string {
	return fmt.Sprintf("runqget %d, globrunqget %d, runqsteal %d (runnext %d)",
		st.local.Load(), st.global.Load(), st.stolen.Load(), st.stolenRunnext.Load())
}

// conserve runs the miniature scheduler and returns what went wrong, if
// anything, and where the Ps found their Gs.
func conserve(cc conserveConfig) (stats *conserveStats, err error) {
	stats = &conserveStats{}
	var abort atomic.Bool
	s := NewSched(Config{Cap: cc.cap, Bugs: cc.bugs, Yield: func(Site) {
		if abort.Load() {
			panic(errAborted)
		}
		if rand.N(16) == 0 {
			runtime.Gosched()
		}
	}})
	ps := make([]*P, cc.ps)
	for i := range ps {
		ps[i] = s.NewP()
	}
	var (
		obtained atomic.Int64
		got      = make([][]G, cc.ps)
		made     = make([]int, cc.ps) // Gs readied by each P
		mu       sync.Mutex
		thrown   []string
		wg       sync.WaitGroup
		total    = int64(cc.gs / cc.producers * cc.producers)
	)
	for i, pp := range ps {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					if v != errAborted {
						mu.Lock()
						thrown = append(thrown, fmt.Sprint(v))
						mu.Unlock()
					}
					abort.Store(true)
				}
			}()
			rng := rand.New(rand.NewPCG(cc.seed, uint64(i)))
			quota := cc.gs / cc.producers
			if i >= cc.producers {
				quota = 0
			}
			fresh := func() G {
				made[i]++
				return G(i + 1 + cc.ps*(made[i]-1))
			}
			for obtained.Load() < total && !abort.Load() {
				if made[i] < quota && rng.IntN(2) == 0 {
					switch rng.IntN(3) {
					case 0:
						pp.Put(fresh(), false)
					case 1:
						pp.Put(fresh(), true)
					default:
						gs := make([]G, 0, 4)
						for range min(1+rng.IntN(4), quota-made[i]) {
							gs = append(gs, fresh())
						}
						for _, g := range pp.PutBatch(gs) {
							pp.Put(g, false)
						}
					}
					continue
				}
				g, _ := pp.Get()
				if g != 0 {
					stats.local.Add(1)
				} else if g = s.Globrunqget(); g != 0 {
					stats.global.Add(1)
				} else if p2 := ps[rng.IntN(len(ps))]; p2 != pp {
					var fromRunnext bool
					if g, fromRunnext = pp.runqsteal(p2, rng.IntN(2) == 0); fromRunnext {
						stats.stolenRunnext.Add(1)
					} else if g != 0 {
						stats.stolen.Add(1)
					}
				}
				if g != 0 {
					got[i] = append(got[i], g)
					obtained.Add(1)
				}
			}
		})
	}

	// The watchdog: stop when nothing has been obtained for cc.stall.
	done := make(chan struct{})
	go func() {
		last, since := int64(-1), time.Now()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if n := obtained.Load(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) > cc.stall {
				abort.Store(true)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	stalled := abort.Load() && len(thrown) == 0
	abort.Store(false)

	put := map[G]int{}
	for i, n := range made {
		for j := range n {
			put[G(i+1+cc.ps*j)]++
		}
	}
	taken := map[G]int{}
	for _, gs := range got {
		for _, g := range gs {
			taken[g]++
		}
	}
	for _, pp := range ps {
		for {
			g, _ := pp.Get()
			if g == 0 {
				break
			}
			taken[g]++
		}
	}
	for g := s.Globrunqget(); g != 0; g = s.Globrunqget() {
		taken[g]++
	}
	switch {
	case len(thrown) > 0:
		return stats, fmt.Errorf("throw: %v", thrown)
	case stalled:
		if err := checkCounts(put, taken); err != nil {
			return stats, fmt.Errorf("stalled after %d of %d Gs: %w", obtained.Load(), total, err)
		}
		return stats, fmt.Errorf("stalled after %d of %d Gs, none lost or duplicated", obtained.Load(), total)
	}
	return stats, checkCounts(put, taken)
}

// TestConservation runs the miniature scheduler on the correct twin, with a
// small ring (runqputslow and the global queue busy) and the runtime's.
func TestConservation(t *testing.T) {
	for _, cap := range []int{4, 256} {
		t.Run(fmt.Sprintf("cap=%d", cap), func(t *testing.T) {
			cc := conserveConfig{cap: cap, ps: 4, producers: 2, gs: 200000, seed: uint64(cap), stall: 5 * time.Second}
			start := time.Now()
			stats, err := conserve(cc)
			if err != nil {
				t.Fatalf("seed %d: %v", cc.seed, err)
			}
			t.Logf("%d Gs readied and obtained once each by %d Ps in %v: %v",
				cc.gs, cc.ps, time.Since(start).Round(time.Millisecond), stats)
		})
	}
}

// TestConservationBugs: the bug switches that lose or duplicate Gs must make
// the miniature scheduler fail within a bounded number of runs.
// Bugs.EmptyNoRecheck loses nothing; only porcupine catches it (TestBugs).
func TestConservationBugs(t *testing.T) {
	for _, tc := range []struct {
		name string
		bugs Bugs
	}{
		{"GrabNoCas", Bugs{GrabNoCas: true}},
		{"RunqgetRunnextNoCas", Bugs{RunqgetRunnextNoCas: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const maxRuns = 20
			for run := 1; run <= maxRuns; run++ {
				cc := conserveConfig{cap: 4, ps: 4, producers: 2, gs: 4000, seed: uint64(run), bugs: tc.bugs, stall: 200 * time.Millisecond}
				if _, err := conserve(cc); err != nil {
					t.Logf("caught in run %d (seed %d): %v", run, cc.seed, err)
					return
				}
			}
			t.Errorf("not caught in %d runs", maxRuns)
		})
	}
}
