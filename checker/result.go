package checker

import (
	"io"
	"time"
)

// Options control a run. The zero value checks exhaustively with
// GOMAXPROCS workers, deadlock detection on and no bounds.
type Options struct {
	// Workers is the number of goroutines expanding states; 0 means
	// GOMAXPROCS. Results do not depend on it.
	Workers int
	// Symmetry fingerprints the model's representatives (see Symmetric).
	// It is ignored for models that are not Symmetric, and for liveness
	// properties, whose fairness is about concrete processes.
	Symmetry bool
	// AllowDeadlock turns off deadlock detection: a state with no enabled
	// action that the model does not declare terminal is then accepted.
	AllowDeadlock bool
	// ConcreteLiveness checks liveness on the concrete graph even when
	// Symmetry is on and the model is SymmetricProcs (which would let it
	// use the smaller quotient graph). Results agree; the option is there
	// to compare them.
	ConcreteLiveness bool

	// Bounds. Hitting any of them ends the run with VerdictIncomplete.
	MaxStates   int64         // distinct states; 0 = unbounded
	MaxDepth    int           // breadth-first levels; 0 = unbounded
	TimeLimit   time.Duration // 0 = unbounded
	MemoryLimit uint64        // heap bytes, with the visited set's; 0 = unbounded

	// Spill, if not empty, is a directory where the checker keeps the
	// states of the current and next levels and the candidates of a
	// level, in unlinked temporary files, instead of in memory (see
	// spill.go): memory then grows with the distinct states only (the
	// visited set and the trace store). Results do not depend on it. It
	// applies to models that are Decoders; others keep their levels in
	// memory.
	Spill string

	// HashSeed, if not 0, fingerprints states with another hash function
	// of the same family, chosen by the seed. A model so large that the
	// collision probability is not negligible (Result.CollisionProbability)
	// can be checked twice with different seeds: their collisions are
	// independent, and a collision loses the states reached only through
	// the state it dropped, so two runs that report the same distinct
	// states almost certainly had none. Results otherwise do not depend on
	// it.
	HashSeed uint64

	// Progress, if not nil, receives a statistics line every
	// ProgressInterval (default 5s).
	Progress         io.Writer
	ProgressInterval time.Duration

	// Checkpoint, if not nil, saves the search to a directory from which
	// Resume continues it (see Checkpoint).
	Checkpoint *Checkpoint

	// noDecoder keeps the frontier as values even for a Decoder model
	// (tests compare the two).
	noDecoder bool
	// roundBlocks, if positive, replaces roundBlocks (tests use rounds of
	// a few blocks).
	roundBlocks int

	_ struct{} // disallow positional literals, for extensibility
}

// Verdict is the outcome of a run.
type Verdict string

const (
	// VerdictOK: the state space was exhausted and every property holds.
	VerdictOK Verdict = "ok"
	// VerdictViolation: a property is violated; Result.Violation says how.
	VerdictViolation Verdict = "violation"
	// VerdictIncomplete: a bound or a cancellation ended the run before
	// the state space was exhausted, and no violation was found.
	VerdictIncomplete Verdict = "incomplete"
)

// Result is what a run found, with TLC-style statistics. It is the object
// that `gmpcheck check -json` prints.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Incomplete says which bound ended an incomplete run.
	Incomplete string `json:"incomplete,omitempty"`

	DistinctStates  int64 `json:"distinct_states"`
	GeneratedStates int64 `json:"generated_states"`
	// Depth is the number of steps on the longest shortest path from an
	// initial state: the breadth-first diameter (0 when only initial
	// states are reachable).
	Depth           int     `json:"depth"`
	MaxQueue        int64   `json:"max_queue"`
	Seconds         float64 `json:"seconds"`
	StatesPerSecond float64 `json:"states_per_second"`
	BytesPerState   float64 `json:"bytes_per_state"`
	Workers         int     `json:"workers"`
	Symmetry        bool    `json:"symmetry"`
	// CollisionProbability is TLC's optimistic estimate of the chance
	// that two distinct states shared a fingerprint:
	// distinct*(generated-distinct)/2^64.
	CollisionProbability float64 `json:"collision_probability"`
	// HashSeed is Options.HashSeed (0, and left out of JSON, for the
	// default hash).
	HashSeed uint64 `json:"hash_seed,omitempty"`

	Properties []string `json:"properties"`
	// Coverage maps each action kind to the number of times it fired.
	// Kinds that never fired are present with 0.
	Coverage map[string]int64 `json:"coverage"`
	// Examples maps each Sometimes property that was reached to the
	// action path of its first (shortest) witness.
	Examples map[string]string `json:"examples,omitempty"`

	// LivenessStates is the number of states in the explicit graph built
	// for liveness properties (0 if the model has none).
	LivenessStates int64 `json:"liveness_states,omitempty"`

	Violation *Violation `json:"violation,omitempty"`

	// Checkpoints is the number of checkpoints this run wrote,
	// CheckpointSeconds the time it spent writing them, and
	// CheckpointError why the last attempt failed, if it did.
	Checkpoints       int     `json:"checkpoints,omitempty"`
	CheckpointSeconds float64 `json:"checkpoint_seconds,omitempty"`
	CheckpointError   string  `json:"checkpoint_error,omitempty"`
}

// A Violation is a property failing, with the path that shows it.
//
// A Sometimes property that no reachable state satisfies has no path to
// show: its Violation (Kind "sometimes") has an empty Path and a nil Trace,
// and Loop -1.
type Violation struct {
	Property string `json:"property"`
	// Kind is "always", "sometimes", "eventually" or "deadlock".
	Kind string `json:"kind"`
	// Path is the replayable form of the trace: the index of the initial
	// state, then the index of each action among those enabled, joined
	// by "/" (for example "0/2/1"). It is empty for an unreached
	// Sometimes property.
	Path string `json:"path"`
	// Trace lists the steps; Trace[0] is the initial state. It is nil
	// (JSON null) for an unreached Sometimes property.
	Trace []Step `json:"trace"`
	// Loop, for a liveness violation, is the index in Trace of the state
	// where the cycle starts: the last step returns to Trace[Loop]. It is
	// -1 when the trace ends in a state with no enabled action, and for
	// every other kind of violation.
	Loop int `json:"loop"`
	// Switches is the number of steps of the trace taken by a different
	// process than the step before.
	Switches int `json:"switches"`
	// FewestSwitches says that no shortest counterexample has fewer
	// switches (see switches.go). It is false for liveness violations and
	// when the search for such a trace went past its bound.
	FewestSwitches bool `json:"fewest_switches"`
}

// A Step is one transition of a trace.
type Step struct {
	// Action is the action's label ("init" for the first step).
	Action string `json:"action"`
	// Index is the action's index among the enabled ones (for the first
	// step, the index of the initial state).
	Index int `json:"index"`
	// Process is the process that took the action (-1 for "init").
	Process int `json:"process"`
	// Change is the model's description of what changed, if it has one.
	Change string `json:"change,omitempty"`
}
