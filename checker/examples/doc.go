// Package examples holds small models for the checker package, and the
// tests that pin what the checker must find in them.
//
//   - Peterson: Peterson's mutual exclusion generalised to N processes (the
//     filter lock), with two classic bugs that break mutual exclusion.
//   - Philosophers: the dining philosophers; the naive protocol deadlocks,
//     the asymmetric one does not.
//   - Buffer: a bounded buffer whose liveness depends on weak fairness; the
//     buggy producer starves the consumer even under weak fairness.
//   - Workers: N interchangeable processes incrementing a shared counter
//     under a lock; a Symmetric model.
//   - Counters: independent counters with a huge, regular state space, for
//     benchmarks.
//
// Every model's state is a plain value (fixed-size arrays), its actions are
// listed in a deterministic order, and its encoding is canonical and
// compact. The package imports only the standard library and the checker.
package examples
