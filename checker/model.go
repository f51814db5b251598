// Package checker is an explicit-state model checker for finite transition
// systems written in Go.
//
// A model is a nondeterministic state machine: it gives its initial states,
// lists the actions enabled in a state in a deterministic order, computes the
// state an action leads to, and encodes a state canonically as bytes. The
// checker explores every reachable state breadth-first, storing a 64-bit
// fingerprint of each state rather than the state itself, and checks named
// properties:
//
//   - Always: an invariant; it must hold in every reachable state.
//   - Sometimes: a reachability goal; some reachable state must satisfy it.
//     A Sometimes property guards an Always property against vacuity.
//   - Eventually / LeadsTo: liveness; every fair path from a trigger state
//     reaches a goal state. Fairness is weak fairness of processes: a process
//     whose actions stay enabled forever must eventually take one.
//
// Counterexamples to Always properties are shortest (breadth-first order) and
// canonical: the same model gives the same trace for any number of workers.
// A counterexample to a liveness property is a lasso, a stem followed by a
// cycle, found by searching the strongly connected components of the state
// graph; unlike a depth-first "eventually" check it does not miss violations
// that end in a cycle.
//
// A model may implement optional interfaces: Terminator (intended final
// states), Symmetric (symmetry reduction), Waiter (fair locks for
// liveness), StateFormatter and StepFormatter (traces for people), and, for
// speed and memory on large models, Decoder (the frontier is kept encoded),
// NextIntoer (successors computed in place), SymmetricInto
// (representatives without copies) and SymmetricEncoder (representatives
// encoded without being built). None changes what a run reports.
//
// Memory. A run keeps about 15 bytes per distinct state (the visited set's
// fingerprints and the trace store's parent and action) and, besides, the
// states of the level being expanded and of the next one. For a Decoder
// model, Options.Spill moves those levels to files (spill.go), so that a
// run's memory is its distinct states', and a level is expanded in rounds
// of a bounded number of states (see roundBlocks).
//
// The package knows nothing of any particular model; see the examples
// directory for small ones.
package checker

// A Model is a nondeterministic transition system over states S and actions A.
//
// Models are expected to be purely functional: Next must not modify its
// argument, and a state must be a plain value (no pointers, slices or maps
// that two states could share), so that the checker may copy it freely.
// The checker calls a model's methods from several goroutines at once.
type Model[S, A any] interface {
	// Init returns the initial states.
	Init() []S
	// Actions appends the actions enabled in s to dst and returns the
	// result. The order must be a function of s alone: the checker names
	// an action by its index in this list.
	Actions(s *S, dst []A) []A
	// Next returns the state reached from s by the enabled action a.
	Next(s *S, a A) S
	// Encode appends the canonical encoding of s to dst. Two states encode
	// to the same bytes exactly when they are equal.
	Encode(s *S, dst []byte) []byte
	// Properties returns the properties to check, in report order.
	Properties() []Property[S]
	// ActionKinds names the classes of actions, for coverage statistics.
	ActionKinds() []string
	// Kind returns the index in ActionKinds of a's class.
	Kind(a A) int
	// Process returns the process that takes a, for weak fairness: a
	// small integer below 64.
	Process(a A) int
	// FormatAction returns a one-line label for a, such as "m2 stopm".
	FormatAction(a A) string
}

// A Terminator is a Model that declares some states terminal: a terminal
// state without enabled actions is an intended end, not a deadlock.
type Terminator[S any] interface {
	Terminal(s *S) bool
}

// A Symmetric model maps a state to the representative of its symmetry
// class (for example by sorting interchangeable processes). With
// Options.Symmetry the checker fingerprints representatives, so one state
// per class is explored; the states it stores and the traces it prints stay
// concrete. Liveness, which is about particular processes, uses the
// concrete graph unless the model is also SymmetricProcs.
type Symmetric[S any] interface {
	Representative(s *S) S
}

// A SymmetricInto is a Symmetric model that can avoid copying states:
// RepresentativeInto returns s itself when s is its own representative,
// and otherwise writes the representative into dst (scratch space the
// checker keeps for the model, used for nothing else) and returns dst.
type SymmetricInto[S any] interface {
	RepresentativeInto(s, dst *S) *S
}

// A SymmetricEncoder is a Symmetric model that encodes a representative
// without building it: EncodeRepresentative appends to dst exactly the
// bytes Encode would append for Representative(s). The checker uses it for
// fingerprints, where the representative itself is not needed.
type SymmetricEncoder[S any] interface {
	EncodeRepresentative(s *S, dst []byte) []byte
}

// A SymmetricProcs model's symmetry renames its processes, and the model
// says how: with Options.Symmetry, liveness is then checked on the quotient
// graph of representatives too (see liveness.go, "Symmetry"), instead of on
// the concrete graph. RepresentativeProcs returns the representative of s
// as RepresentativeInto does (s itself, or dst written) and sets perm[p],
// for every process p < len(perm), to the process that p becomes in the
// representative: Process of an action of s that p takes is p, and of the
// corresponding action of the representative, perm[p]. Properties with a
// Trigger or an Eventually condition must not tell renamed states apart.
type SymmetricProcs[S any] interface {
	RepresentativeProcs(s, dst *S, perm []uint8) *S
}

// A Waiter is a Model whose processes can wait for a resource that is
// granted fairly (a lock). Waiting returns the processes that wait in s:
// for weak fairness they count as enabled even when none of their actions
// is, so a cycle on which a process waits forever, while the lock is free
// now and then, is unfair. That is strong fairness for the resource.
type Waiter[S any] interface {
	Waiting(s *S) uint64
}

// A StateFormatter renders a whole state for people. It is presentation
// only and never changes what the checker does.
type StateFormatter[S any] interface {
	FormatState(s *S) string
}

// A StepFormatter describes what an action changed, in one line, for
// traces. It is presentation only.
type StepFormatter[S, A any] interface {
	FormatStep(prev *S, a A, next *S) string
}

// Expectation is the kind of a property.
type Expectation uint8

const (
	// ExpectAlways: the condition holds in every reachable state.
	ExpectAlways Expectation = iota
	// ExpectSometimes: the condition holds in some reachable state.
	ExpectSometimes
	// ExpectEventually: on every fair path from a trigger state (an
	// initial state when Trigger is nil) the condition eventually holds.
	ExpectEventually
)

func (e Expectation) String() string {
	switch e {
	case ExpectAlways:
		return "always"
	case ExpectSometimes:
		return "sometimes"
	case ExpectEventually:
		return "eventually"
	}
	return "unknown"
}

// A Property is a named condition on states.
type Property[S any] struct {
	Name   string
	Expect Expectation
	// Cond is the state predicate.
	Cond func(s *S) bool
	// Trigger, for ExpectEventually only, selects the states from which
	// Cond must eventually hold (the P of "P leads to Q"). Nil means the
	// initial states.
	Trigger func(s *S) bool
	_       struct{} // disallow positional literals, for extensibility
}

// Always returns an invariant: cond holds in every reachable state.
func Always[S any](name string, cond func(s *S) bool) Property[S] {
	return Property[S]{Name: name, Expect: ExpectAlways, Cond: cond}
}

// Sometimes returns a reachability goal: cond holds in some reachable state.
func Sometimes[S any](name string, cond func(s *S) bool) Property[S] {
	return Property[S]{Name: name, Expect: ExpectSometimes, Cond: cond}
}

// Eventually returns a liveness property: every fair path from an initial
// state reaches a state where cond holds.
func Eventually[S any](name string, cond func(s *S) bool) Property[S] {
	return Property[S]{Name: name, Expect: ExpectEventually, Cond: cond}
}

// LeadsTo returns a liveness property: from every reachable state where
// trigger holds, every fair path reaches a state where cond holds.
func LeadsTo[S any](name string, trigger, cond func(s *S) bool) Property[S] {
	return Property[S]{Name: name, Expect: ExpectEventually, Cond: cond, Trigger: trigger}
}
