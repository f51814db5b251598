package runq

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// A G is a goroutine handle: the twin moves numbers, not goroutines. The
// zero G is nil, as a zero guintptr is in the runtime.
type G uint32

// A guintptr is a slot that holds a G: a ring entry or runnext. It mirrors
// the runtime's guintptr (runtime2.go) and its ptr, set and cas methods.
//
// The runtime reads and writes ring slots with plain loads and stores and
// relies on runqhead and runqtail for ordering: a thief may read a slot that
// the owner is overwriting, and throws the value away when its CAS of
// runqhead fails. In Go that read is a data race, so the twin makes every
// slot access atomic. The runtime's slot accesses are relaxed; Go's atomics
// are sequentially consistent, which is stronger and hides nothing that the
// head and tail protocol below is meant to guarantee.
type guintptr struct{ v atomic.Uint32 }

func (gp *guintptr) ptr() G  { return G(gp.v.Load()) }
func (gp *guintptr) set(g G) { gp.v.Store(uint32(g)) }

// cas mirrors guintptr.cas (runtime2.go), an atomic.Casuintptr.
func (gp *guintptr) cas(old, new G) bool {
	return gp.v.CompareAndSwap(uint32(old), uint32(new))
}

// A Site names a point between two separately atomic steps of a run queue
// operation, where another P can act. Names follow the runtime function the
// point is in; [Config.Yield] receives them.
type Site string

const (
	// SiteRunqputRunnext is in runqput, between reading runnext and the
	// CAS that installs the new G (proc.go:7496-7497).
	SiteRunqputRunnext Site = "runqput.runnext"
	// SiteRunqput is in runqput, after the load-acquire of runqhead and
	// before the store-release of runqtail (proc.go:7508-7512). When
	// runqput was called with next and kicked the old runnext, the kicked
	// G is at this point in no queue: it is in the owner's hands.
	SiteRunqput Site = "runqput"
	// SiteRunqputslow is in runqputslow, after copying half the ring and
	// before the CAS of runqhead that commits it (proc.go:7533-7536).
	SiteRunqputslow Site = "runqputslow"
	// SiteRunqputslowGlobal is in runqputslow, after the CAS and before
	// lock(&sched.lock): the half that left the ring is in no queue yet
	// (proc.go:7536-7556).
	SiteRunqputslowGlobal Site = "runqputslow.globrunqputbatch"
	// SiteRunqputbatch is in runqputbatch, after the slots are written and
	// before the store-release of runqtail (proc.go:7569-7589).
	SiteRunqputbatch Site = "runqputbatch"
	// SiteRunqgetRunnext is in runqget, between reading runnext and the CAS
	// that takes it (proc.go:7600-7604).
	SiteRunqgetRunnext Site = "runqget.runnext"
	// SiteRunqget is in runqget, after reading the head slot and before the
	// CAS of runqhead (proc.go:7614-7615).
	SiteRunqget Site = "runqget"
	// SiteRunqgrabHead is in runqgrab, between the load-acquire of runqhead
	// and that of runqtail (proc.go:7664-7665): the window in which the two
	// reads can become inconsistent.
	SiteRunqgrabHead Site = "runqgrab.head"
	// SiteRunqgrabRunnext is in runqgrab, after finding the ring empty and
	// before reading runnext (proc.go:7668-7671).
	SiteRunqgrabRunnext Site = "runqgrab.runnext"
	// SiteRunqgrab is in runqgrab, after copying the batch and before the
	// CAS of runqhead that commits it (proc.go:7717-7721).
	SiteRunqgrab Site = "runqgrab"
	// SiteRunqempty is in runqempty, between the load of runqtail and that
	// of runnext (proc.go:7454-7455).
	SiteRunqempty Site = "runqempty"
	// SiteRunqputKick is in runqput, after the runnext CAS that kicked the
	// old runnext out and before the ring put of the kicked G
	// (proc.go:7497-7504): the G is in the owner's hands, in no queue.
	SiteRunqputKick Site = "runqput.kick"
	// SiteRunqgrabRetry is in runqgrab, after a failed CAS of the victim's
	// runnext and before the loop reads runqhead again (proc.go:7705-7707).
	SiteRunqgrabRetry Site = "runqgrab.retry"
	// SiteRunqstealPublish is in runqsteal, after runqgrab has written and
	// committed the batch and before the store-release of the thief's
	// runqtail that publishes all but the last G (proc.go:7735-7746).
	SiteRunqstealPublish Site = "runqsteal.publish"
)

// Bugs are switches that break the twin on purpose, each in one place the
// runtime gets right, so that the tests can show their checks fail when the
// protocol is broken. The zero value is the correct twin.
type Bugs struct {
	// GrabNoCas commits runqgrab's batch with a Store of runqhead instead
	// of CasRel (proc.go:7721). Every access is still atomic, so the race
	// detector is silent, but two consumers that read the same head both
	// take the Gs after it, and a late Store can move runqhead backwards.
	GrabNoCas bool
	// RunqgetRunnextNoCas takes runnext in runqget with a Store of 0 after
	// the load instead of cas(next, 0) (proc.go:7604). A thief's
	// runqgrab that CASes runnext between the two steps takes the same G.
	RunqgetRunnextNoCas bool
	// EmptyNoRecheck drops runqempty's second load of runqtail
	// (proc.go:7456), which is the defence against the race described in
	// its comment: runnext kicked into the ring and then taken, so that
	// runqempty sees an empty ring and an empty runnext that never
	// coexisted.
	EmptyNoRecheck bool

	// The spec's run queue switches (spec/bugs.go), for the scheduler
	// twin (impl/sched), which replays the spec's counterexamples:
	//
	// RunqgetNoRunnext: Get forgets runnext (proc.go:7601-7606) and
	// takes only from the ring (runqget-no-runnext).
	RunqgetNoRunnext bool
	// StealRunnextNoCas: runqgrab takes the victim's runnext without its
	// CAS to nil (proc.go:7705) and leaves it there
	// (steal-runnext-no-cas).
	StealRunnextNoCas bool
	// GrabTakesAll: when the victim has a runnext, runqgrab takes the
	// whole ring and the runnext on top of it (proc.go:7665-7710: n - n/2
	// becomes n), which overflows the thief's ring (runqgrab-takes-all).
	GrabTakesAll bool
	_            struct{}
}

// Config fixes what the runtime fixes at compile time, and adds the hooks
// the tests need.
type Config struct {
	// Cap is the capacity of each P's ring; the runtime's is 256
	// (runtime2.go: runq [256]guintptr). It must be a power of two, at
	// least 2: the ring is indexed by head%Cap and tail%Cap with uint32
	// head and tail that wrap around, which keeps the slots contiguous
	// across the wrap only if Cap divides 1<<32, as 256 does. Tests use 4
	// or 8 so that the ring fills.
	Cap int
	// Bugs selects broken variants; the zero value is correct.
	Bugs Bugs
	// Yield, if not nil, is called at every Site, on the goroutine of the
	// P that runs there. Tests use it to widen race windows (by calling
	// runtime.Gosched, say) or to run another P's operation at an exact
	// point. It plays the part of the runtime's randomizeScheduler
	// (proc.go:7462-7471), which shuffles scheduling under the race
	// detector for the same purpose. It must be safe for concurrent use.
	Yield func(site Site)
	// StealBackoff replaces runqgrab's usleep(3) before it steals a
	// runnext G (proc.go:7672-7703). If nil, the twin calls
	// runtime.Gosched, the counterpart of the osyield the runtime uses
	// where timers are coarse (osHasLowResTimer, proc.go:1108). A
	// time.Sleep of 3µs is no usleep(3): it went through Go's timers and
	// took about 630µs on the Linux machine this was written on, which
	// would only slow the tests down. See runqgrab for the conditions the
	// twin drops.
	StealBackoff func()
	// Overflow, if not nil, receives runqputslow's batch (the older half
	// of the ring, then the G being put) once the CAS of runqhead has
	// taken it from the ring, in place of the Sched's own
	// lock(&sched.lock); globrunqputbatch; unlock (proc.go:7553-7557). A
	// scheduler that keeps the global queue under its own sched.lock with
	// other state (impl/sched) puts the batch there. The batch is the
	// callee's to keep.
	Overflow func(batch []G)
	_        struct{}
}

// A Sched is the part of the runtime's schedt that the local run queues
// touch: the global run queue sched.runq and sched.lock, which guards it.
// The runtime's gQueue is a list linked through g.schedlink; the twin's is a
// slice. A Sched also carries the Config its Ps share, as the runtime's code
// and constants are shared by all Ps.
type Sched struct {
	lock sync.Mutex
	runq []G // sched.runq; guarded by lock; head first

	cfg Config
}

// NewSched returns a Sched with an empty global queue. It panics if
// c.Cap is not a power of two at least 2.
func NewSched(c Config) *Sched {
	if c.Cap < 2 || c.Cap&(c.Cap-1) != 0 || c.Cap > 1<<30 {
		panic(fmt.Sprintf("NewSched: capacity %d is not a power of two in [2, 1<<30]", c.Cap))
	}
	return &Sched{cfg: c}
}

// globrunqputbatch appends batch to the global queue. sched.lock must be
// held.
//
// Follows runtime.globrunqputbatch (proc.go:7266-7277).
func (s *Sched) globrunqputbatch(batch []G) {
	s.runq = append(s.runq, batch...)
}

// Globrunqget takes the G at the head of the global queue, or returns nil.
//
// Follows runtime.globrunqget (proc.go:7279-7289), with one difference:
// the runtime's caller holds sched.lock, the twin takes it here. Can be
// executed by any P.
func (s *Sched) Globrunqget() G {
	s.lock.Lock()
	defer s.lock.Unlock()
	if len(s.runq) == 0 {
		return 0
	}
	gp := s.runq[0]
	s.runq = s.runq[1:]
	return gp
}

// Global returns a copy of the global queue, head first.
func (s *Sched) Global() []G {
	s.lock.Lock()
	defer s.lock.Unlock()
	return append([]G(nil), s.runq...)
}

// A P is a processor's local run queue: the runqhead, runqtail, runq and
// runnext fields of the runtime's p (runtime2.go), and nothing else of it.
//
// The ring holds the Gs at positions runqhead through runqtail-1, modulo
// its length. The owner P alone writes slots and runqtail; any P may
// advance runqhead, by CAS. The owner alone sets runnext to a G; any P may
// CAS it to nil. See "Ownership" in doc.go.
type P struct {
	// Queue of runnable goroutines. Accessed without lock.
	//
	// runqhead is advanced by CAS (cas-release) by whoever consumes:
	// the owner in runqget and runqputslow, thieves in runqgrab.
	// runqtail is stored (store-release) by the owner alone, in runqput,
	// runqputbatch and runqsteal; other Ps load it with load-acquire.
	// Invariant: runqhead <= runqtail <= runqhead+len(runq), in uint32
	// arithmetic (runqtail-runqhead is the number of Gs in the ring).
	runqhead atomic.Uint32
	runqtail atomic.Uint32
	runq     []guintptr
	// runnext, if not nil, is the G to run next, inheriting the current
	// time slice (see runtime2.go on p.runnext). Only the owner CASes it
	// to a G; other Ps may CAS it to nil.
	runnext guintptr

	sched *Sched
}

// NewP returns a P with an empty run queue, attached to s.
func (s *Sched) NewP() *P {
	return &P{runq: make([]guintptr, s.cfg.Cap), sched: s}
}

// Snapshot returns pp's runnext and its ring, oldest first. It reads the
// queue word by word, so it is a state of the queue only when no P is
// using pp: tests call it between operations, and the spec's cross-check
// (spec/twin_runq_test.go) compares it with the model's queues.
func (pp *P) Snapshot() (runnext G, ring []G) {
	for i, t := pp.runqhead.Load(), pp.runqtail.Load(); i != t; i++ {
		ring = append(ring, pp.runq[i%uint32(len(pp.runq))].ptr())
	}
	return pp.runnext.ptr(), ring
}

func (pp *P) yield(site Site) {
	if y := pp.sched.cfg.Yield; y != nil {
		y(site)
	}
}

func (pp *P) bugs() *Bugs { return &pp.sched.cfg.Bugs }

// Empty reports whether pp has no Gs on its local run queue. It never
// returns true spuriously. Can be executed by any P.
//
// Follows runtime.runqempty (proc.go:7445-7460): load head, tail and
// runnext, and trust them only if a second load of tail agrees. Without the
// second load (Bugs.EmptyNoRecheck), this can happen: G1 is in runnext and
// the ring is empty; we load head and tail; the owner's runqput(G2, next)
// kicks G1 into the ring and its runqget takes G2 from runnext; we load
// runnext and see nil. The queue held G1 throughout, but we say empty. The
// second load sees the tail the kick advanced, and we retry. If the two
// tail loads agree, no G entered the ring in between, so the ring was
// empty when runnext was loaded (tail and head were equal at the first
// tail load, and head never passes tail): a true answer is true at that
// instant.
func (pp *P) Empty() bool {
	for {
		head := pp.runqhead.Load()
		tail := pp.runqtail.Load()
		pp.yield(SiteRunqempty)
		runnext := pp.runnext.ptr()
		if pp.bugs().EmptyNoRecheck || tail == pp.runqtail.Load() {
			return head == tail && runnext == 0
		}
	}
}

// Put puts gp on pp's local run queue. If next is false, Put adds gp to the
// tail of the ring. If next is true, Put puts gp in the runnext slot, and
// the G it displaces goes to the tail of the ring. If the ring is full, Put
// moves half of it and the G to the global queue. Executed only by the
// owner P.
//
// Follows runtime.runqput (proc.go:7473-7520); see runqput.
func (pp *P) Put(gp G, next bool) {
	pp.runqput(gp, next)
}

// runqput is Put, and returns the G that next=true kicked out of runnext
// into the ring (nil if none).
//
// Follows runtime.runqput (proc.go:7478-7520) statement for statement,
// gotos included, except:
//   - The runtime turns next off when there is no sysmon (haveSysmon,
//     proc.go:7479-7489), and at random under the race detector
//     (randomizeScheduler, proc.go:7490-7492). The twin does neither.
//   - The twin panics on a nil G, which no runtime caller passes.
//   - The runtime returns nothing. The twin returns the kicked G, because
//     runqput(gp, true) is two atomic steps, not one: the runnext CAS and
//     the ring put of the kicked G. Between them the kicked G is in the
//     owner's hands, and a thief that steals the new runnext then takes a
//     G that no atomic runqput would have exposed while the ring holds
//     nothing. The history tests record the two steps as two operations,
//     and need the kicked G to do so. See "What porcupine checks" in
//     doc.go.
func (pp *P) runqput(gp G, next bool) (kicked G) {
	if gp == 0 {
		panic("runqput: nil G")
	}
	if next {
	retryNext:
		oldnext := pp.runnext.ptr()
		pp.yield(SiteRunqputRunnext)
		if !pp.runnext.cas(oldnext, gp) {
			goto retryNext
		}
		if oldnext == 0 {
			return 0
		}
		// Kick the old runnext out to the regular run queue.
		gp = oldnext
		kicked = oldnext
		pp.yield(SiteRunqputKick)
	}

retry:
	h := pp.runqhead.Load() // load-acquire, synchronize with consumers
	t := pp.runqtail.Load() // our own field: a plain load in the runtime
	if t-h < uint32(len(pp.runq)) {
		pp.runq[t%uint32(len(pp.runq))].set(gp)
		pp.yield(SiteRunqput)
		pp.runqtail.Store(t + 1) // store-release, makes the item available for consumption
		return kicked
	}
	if pp.runqputslow(gp, h, t) {
		return kicked
	}
	// the queue is not full, now the put above must succeed
	goto retry
}

// runqputslow puts gp and the older half of the ring on the global queue.
// It reports false, having changed nothing, if a thief moved runqhead
// since runqput loaded it (h); the ring is then no longer full. Executed
// only by the owner P.
//
// Follows runtime.runqputslow (proc.go:7522-7560). The runtime collects the
// batch in a stack array of len(runq)/2+1 entries and links it into a
// gQueue; the twin uses a slice. Under the race detector the runtime
// shuffles the batch (randomizeScheduler); the twin keeps ring order.
func (pp *P) runqputslow(gp G, h, t uint32) bool {
	batch := make([]G, len(pp.runq)/2+1)

	// First, grab a batch from local queue.
	n := t - h
	n = n / 2
	if n != uint32(len(pp.runq)/2) {
		panic("runqputslow: queue is not full")
	}
	for i := uint32(0); i < n; i++ {
		batch[i] = pp.runq[(h+i)%uint32(len(pp.runq))].ptr()
	}
	pp.yield(SiteRunqputslow)
	if !pp.runqhead.CompareAndSwap(h, h+n) { // cas-release, commits consume
		return false
	}
	batch[n] = gp

	// Now put the batch on global queue.
	pp.yield(SiteRunqputslowGlobal)
	if o := pp.sched.cfg.Overflow; o != nil {
		o(batch)
		return true
	}
	pp.sched.lock.Lock()
	pp.sched.globrunqputbatch(batch)
	pp.sched.lock.Unlock()
	return true
}

// PutBatch puts the Gs of q, in order, on the tail of pp's ring, as many as
// fit, and returns the rest of q (empty if all fit). Executed only by the
// owner P.
//
// Follows runtime.runqputbatch (proc.go:7562-7592). The runtime takes a
// *gQueue and leaves the Gs that did not fit in it; the twin takes a slice
// and returns its tail. The runtime shuffles the new Gs under the race
// detector; the twin does not.
//
// runqputbatch loads runqhead once. Thieves may advance it before the
// store of runqtail, so PutBatch may leave Gs in q although the ring has
// room for them by the time it returns; it never overfills the ring, since
// a stale head only overstates how full the ring is.
func (pp *P) PutBatch(q []G) (rest []G) {
	if len(q) == 0 {
		return q
	}
	h := pp.runqhead.Load() // load-acquire, synchronize with consumers
	t := pp.runqtail.Load() // our own field: a plain load in the runtime
	for len(q) > 0 && t-h < uint32(len(pp.runq)) {
		gp := q[0]
		q = q[1:]
		pp.runq[t%uint32(len(pp.runq))].set(gp)
		t++
	}
	pp.yield(SiteRunqputbatch)
	pp.runqtail.Store(t) // store-release, makes the items available for consumption
	return q
}

// Get takes a G from pp's local run queue: runnext if set, else the head of
// the ring; nil if both are empty. If inheritTime is true, gp should inherit
// the remaining time in the current time slice; it is true exactly when gp
// came from runnext. Executed only by the owner P.
//
// Follows runtime.runqget (proc.go:7594-7619). The runnext CAS is not
// retried: if it fails, a thief took runnext (only the owner sets it to a
// G, and the owner is here), so runnext is nil and stays nil until we
// return. With Bugs.RunqgetRunnextNoCas the twin takes runnext with a store
// instead, and a thief that CASes it in between takes the same G.
func (pp *P) Get() (gp G, inheritTime bool) {
	// If there's a runnext, it's the next G to run.
	next := pp.runnext.ptr()
	if next != 0 {
		pp.yield(SiteRunqgetRunnext)
	}
	if pp.bugs().RunqgetNoRunnext {
		next = 0
	}
	if pp.bugs().RunqgetRunnextNoCas {
		if next != 0 {
			pp.runnext.set(0)
			return next, true
		}
	} else if next != 0 && pp.runnext.cas(next, 0) {
		return next, true
	}

	for {
		h := pp.runqhead.Load() // load-acquire, synchronize with other consumers
		t := pp.runqtail.Load() // our own field: a plain load in the runtime
		if t == h {
			return 0, false
		}
		gp := pp.runq[h%uint32(len(pp.runq))].ptr()
		pp.yield(SiteRunqget)
		if pp.runqhead.CompareAndSwap(h, h+1) { // cas-release, commits consume
			return gp, false
		}
	}
}

// runqgrab copies a batch of Gs from pp's run queue into batch, a ring
// buffer starting at batchHead, and returns how many, and whether the one
// G it took came from runnext. The batch is the older half of the ring,
// rounded up (n - n/2 of n Gs); if the ring is empty and stealRunNextG is
// set, it is runnext. Can be executed by any P.
//
// Follows runtime.runqgrab (proc.go:7658-7725), except:
//   - The runtime returns only the count; the twin also says whether the G
//     came from runnext, for the history tests.
//   - Before stealing runnext the runtime sleeps 3µs (or yields), but only
//     if pp is running and its M's current G is not in a syscall: a G
//     running on pp that has just readied another G is likely to block
//     and run it soon, so the thief backs off (proc.go:7672-7703). The twin
//     has no Ms, statuses or Gs to look at, so it always backs off, with
//     Config.StealBackoff or runtime.Gosched.
//   - With Bugs.GrabNoCas the batch is committed with a Store of runqhead.
//
// The loop retries in three cases: head and tail were loaded at different
// times and disagree (more than half a ring would be taken: the owner
// consumed and refilled in between); runnext changed under the backoff;
// and the CAS of runqhead failed because another consumer moved it.
//
// A successful ring grab acts at two instants. The CAS succeeds only if
// runqhead kept the value h loaded first, so at the load of runqtail the
// ring held exactly t-h Gs: that instant sizes the batch. The CAS commits
// it. In between no one else consumed (that would have moved runqhead), and
// the owner cannot overwrite slots h..h+n-1 while runqhead is h; it can
// only put more Gs behind them. So the batch is the oldest half, rounded
// up, of the ring as it was at the tail load, which may by the CAS be less
// than half of the ring. See "What porcupine checks" in doc.go.
func (pp *P) runqgrab(batch []guintptr, batchHead uint32, stealRunNextG bool) (uint32, bool) {
	for {
		h := pp.runqhead.Load() // load-acquire, synchronize with other consumers
		pp.yield(SiteRunqgrabHead)
		t := pp.runqtail.Load() // load-acquire, synchronize with the producer
		n := t - h
		n = n - n/2
		if n == 0 {
			if stealRunNextG {
				pp.yield(SiteRunqgrabRunnext)
				// Try to steal from pp.runnext.
				if next := pp.runnext.ptr(); next != 0 {
					// Back off to give pp a chance to run next itself.
					if b := pp.sched.cfg.StealBackoff; b != nil {
						b()
					} else {
						runtime.Gosched()
					}
					if !pp.bugs().StealRunnextNoCas && !pp.runnext.cas(next, 0) {
						pp.yield(SiteRunqgrabRetry)
						continue
					}
					batch[batchHead%uint32(len(batch))].set(next)
					return 1, true
				}
			}
			return 0, false
		}
		if n > uint32(len(pp.runq)/2) { // read inconsistent h and t
			continue
		}
		for i := uint32(0); i < n; i++ {
			g := pp.runq[(h+i)%uint32(len(pp.runq))].ptr()
			batch[(batchHead+i)%uint32(len(batch))].set(g)
		}
		if next := pp.runnext.ptr(); pp.bugs().GrabTakesAll && next != 0 {
			all := t - h
			for i := n; i < all; i++ {
				g := pp.runq[(h+i)%uint32(len(pp.runq))].ptr()
				batch[(batchHead+i)%uint32(len(batch))].set(g)
			}
			pp.runnext.cas(next, 0)
			batch[(batchHead+all)%uint32(len(batch))].set(next)
			pp.runqhead.CompareAndSwap(h, h+all)
			return all + 1, false
		}
		pp.yield(SiteRunqgrab)
		if pp.bugs().GrabNoCas {
			pp.runqhead.Store(h + n)
			return n, false
		}
		if pp.runqhead.CompareAndSwap(h, h+n) { // cas-release, commits consume
			return n, false
		}
	}
}

// Steal moves half of p2's run queue (rounded up) to pp's and returns one
// of the Gs it took, or nil if it found none. If p2's ring is empty and
// stealRunNextG is set, it takes p2's runnext instead. Executed only by the
// owner of pp, which must be another P than p2 on the same Sched; p2 may
// be in use by its owner and other thieves.
//
// Follows runtime.runqsteal (proc.go:7727-7747); see runqsteal.
func (pp *P) Steal(p2 *P, stealRunNextG bool) G {
	gp, _ := pp.runqsteal(p2, stealRunNextG)
	return gp
}

// runqsteal is Steal, and also reports whether the G came from p2's
// runnext.
//
// Follows runtime.runqsteal (proc.go:7730-7747): runqgrab writes the batch
// straight into pp's ring, after pp's tail, where no other P looks; the
// last G grabbed is returned, and the rest are published with one
// store-release of pp's runqtail. The runtime's callers steal only into an
// empty ring (stealWork calls runqget first, proc.go:3866-3877), and
// "runqsteal: runq overflow" guards that assumption, after the fact.
func (pp *P) runqsteal(p2 *P, stealRunNextG bool) (G, bool) {
	if pp == p2 || pp.sched != p2.sched {
		panic("runqsteal: victim is the thief or on another Sched")
	}
	t := pp.runqtail.Load() // our own field: a plain load in the runtime
	n, fromRunnext := p2.runqgrab(pp.runq, t, stealRunNextG)
	if n == 0 {
		return 0, false
	}
	n--
	gp := pp.runq[(t+n)%uint32(len(pp.runq))].ptr()
	if n == 0 {
		return gp, fromRunnext
	}
	pp.yield(SiteRunqstealPublish)
	h := pp.runqhead.Load() // load-acquire, synchronize with consumers
	if t-h+n >= uint32(len(pp.runq)) {
		panic("runqsteal: runq overflow")
	}
	pp.runqtail.Store(t + n) // store-release, makes the item available for consumption
	return gp, fromRunnext
}
