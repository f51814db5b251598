// Package runq is an executable twin of the Go runtime's per-P local run
// queue: the lock-free ring, the runnext slot, and the global queue they
// spill into, following runqempty, runqput, runqputslow, runqputbatch,
// runqget, runqgrab and runqsteal in proc.go of go1.26.8 (lines 7445-7747)
// and the p fields runqhead, runqtail, runq and runnext in runtime2.go.
//
// The twin keeps the runtime's names, control flow (gotos included) and
// atomics, so that a reader can hold it next to proc.go and see the same
// program; each function says which lines it follows and where it departs
// from them. Gs are numbers (a G is a uint32; 0 is nil), a P is only its
// run queue, and a Sched is only the global queue and its lock. The tests
// run the twin on real goroutines and check the histories they record with
// porcupine against a sequential model (model_test.go), and count Gs under
// load (conservation_test.go).
//
// # Ownership
//
// Each P's run queue has one owner, the goroutine standing for the M that
// holds the P. The runtime's comments state who may call what, and the
// twin keeps the same contract:
//
//   - "Executed only by the owner P": Put (runqput), runqputslow,
//     PutBatch (runqputbatch), Get (runqget), and Steal (runqsteal) on the
//     thief's side: the thief is the owner of the P it steals into.
//   - "Can be executed by any P": runqgrab, which Steal runs on the victim,
//     and Empty (runqempty). Sched.Globrunqget may be called by anyone.
//
// Nothing checks the contract; breaking it breaks the queue. In the
// runtime it holds because a P is held by one M at a time.
//
// # Why runqhead is CASed and runqtail is stored
//
// The ring is a single-producer, multi-consumer queue. Only the owner
// writes slots and advances runqtail, so runqtail needs no CAS: the owner
// writes the slot, then publishes it with a store-release of runqtail, and
// a consumer that load-acquires runqtail sees the slot's contents. Anyone
// may consume: the owner in runqget and runqputslow, thieves in runqgrab.
// A consumer reads runqhead, reads the slots after it, and commits with a
// CAS of runqhead from the value it read; if another consumer got there
// first, the CAS fails, the slots it read are thrown away, and it retries.
// The CAS is what makes each G leave the ring once (Bugs.GrabNoCas
// replaces it with a store, and Gs are taken twice).
//
// The owner never waits for consumers. Before writing a slot it loads
// runqhead; a stale head only makes the ring look fuller than it is, so
// the owner never overwrites a G that has not been consumed. When the ring
// looks full, runqputslow tries to move the older half to the global queue
// with a CAS of runqhead; if a thief moved runqhead meanwhile, the ring is
// not full after all and runqput retries the plain put.
//
// Thieves read runqhead and runqtail at different times, so they can see
// an inconsistent pair (the owner consumed and refilled in between);
// runqgrab notices a batch larger than half a ring and retries.
//
// runnext is a single slot with the opposite ownership: only the owner
// sets it to a G, by CAS; anyone may CAS it to nil to take the G. runqget
// tries its CAS once, since failure means a thief took the G and only the
// owner could have put another.
//
// The runtime's atomics on runqhead and runqtail are load-acquire,
// store-release and cas-release; Go's sync/atomic operations are
// sequentially consistent, which is stronger. The runtime accesses ring
// slots with plain loads and stores and tolerates the race in which a
// thief reads a slot the owner is overwriting (the thief's CAS then
// fails); in Go that is a data race, so the twin's slots are atomic too.
//
// # What porcupine checks
//
// The model (model_test.go) is the queue with one operation at a time:
// runnext, the ring oldest first, and the global queue. Its state is the
// twin's own state read at one instant (runnext, the slots from runqhead
// to runqtail, the global queue), and each operation of the model is one
// atomic step of the twin: a load, store or CAS of runnext, runqhead or
// runqtail. The history recorder stamps each call of the twin with a
// logical clock and turns it into one operation per instant at which it
// reads or changes that state, all over the call's interval. porcupine
// then searches for an order of the operations, consistent with the
// intervals, in which the model accepts every output.
//
// One operation per call would be wrong, because several runtime
// functions are not atomic; TestNotAtomic forces each of these
// interleavings and shows the one-step recording illegal:
//
//   - runqput(g, true) swaps runnext and then puts the G it kicked out in
//     the ring. In between the kicked G is in no queue, and a thief can
//     take the new runnext from a ring that looks empty.
//   - runqgrab sizes its batch at the load of runqtail and commits it at
//     the CAS of runqhead. In between the owner may put more Gs, so the
//     batch can be less than half of the ring it leaves; and the owner's
//     runqputbatch may still count the batch's Gs as in the ring.
//   - runqgrab decides the ring is empty, and only later reads runnext; by
//     then the owner may have filled the ring and set runnext, or kicked
//     runnext into the ring and taken a new one, so the thief takes
//     runnext from a nonempty ring, or nothing from a nonempty queue.
//   - runqputbatch loads runqhead once and publishes with runqtail later,
//     so it can place fewer Gs than fit by the time it publishes.
//   - runqputslow takes half the ring out with a CAS and puts it on the
//     global queue under sched.lock later. The model has no split for
//     this, so in the history tests only the owner reads the global queue.
//
// None of this loses or duplicates a G, and the runtime does not need
// these calls to be atomic; the splits record what each call guarantees.
// Given a state and an operation's output, the model's step is
// deterministic. A steal's batch is n-n/2 of the n Gs the ring held at the
// load of runqtail, and the model checks exactly that.
//
// The tests also check conservation: every G put is obtained exactly once,
// by runqget, a steal or globrunqget, in short recorded rounds and in a
// long run of a miniature scheduler in which every P readies Gs, runs them,
// and steals as findRunnable does.
//
// # Bug switches and hooks
//
// Bugs breaks the twin in one place each: GrabNoCas commits a grab with a
// store instead of a CAS, RunqgetRunnextNoCas takes runnext with a load
// and a store, and EmptyNoRecheck drops runqempty's second load of
// runqtail. TestBugs requires porcupine (and, for the first two, the
// conservation check) to catch each within a bounded number of rounds.
//
// The race windows are a few instructions wide. Config.Yield is called at
// each Site between two atomic steps, and the tests call runtime.Gosched
// there at random, as the runtime's randomizeScheduler shuffles scheduling
// under the race detector; without it, short rounds rarely hit the
// windows. TestNotAtomic uses the same hook to run another P's call at an
// exact point, on one goroutine.
//
// # What is left out
//
// The twin has no Ms, no G status and no P status, so runqgrab's backoff
// before stealing runnext (3µs, when the victim is running a G that is not
// in a syscall) is unconditional and is a runtime.Gosched or
// Config.StealBackoff. There is no sysmon, so runqput never turns next
// off for want of one, and no randomizeScheduler: batches keep ring order.
// runqdrain, globrunqput, globrunqputhead and globrunqgetbatch are not
// twinned, nor is the rest of findRunnable. Ring capacity is a parameter
// (a power of two, 256 in the runtime) so that tests can fill the ring.
package runq
