// Package spec is a small-step model of the Go runtime scheduler (Go 1.26.8's
// runtime/proc.go, runtime2.go and lock_futex.go), for the checker package.
//
// # What is modelled
//
// Goroutines (G), threads (M, sysmon among them) and processors (P), the
// global scheduler state sched with its lock, the notes Ms sleep on, and
// the environment a program lives in: system calls that return, network
// descriptors that become ready, time that passes. A Config fixes the
// machine (GOMAXPROCS, how many Ms may exist, the local run queue's
// capacity), the features (sysmon, netpoll, forcegc, timers, stw, gcwork, locked), the user
// goroutines' programs (workload files, see LoadWorkload), the profile
// (go1.26, or go1.14 for the design documents' code) and bug switches.
//
// # Steps
//
// Each M runs the runtime's functions one atomic step at a time: one access
// to shared memory, or one critical section under sched.lock, whose
// acquisition is a step of its own. Steps are named after the runtime
// function and phase ("findRunnable.dropP", "startm.notewakeup"), their
// functions (step_*.go) cite the lines they follow, and the calls between
// runtime functions keep a return stack on the M. docs/model.md lists every
// step with its source range, the merges of accesses that are sound and
// why, and the deliberate abstractions (time is nondeterminism; GC, locked
// Ms and cgo are out; loops over allp take any order; threads are
// bounded).
//
// # Properties
//
// Every throw of the runtime in scope is an invariant ("throw-..."), with
// structural invariants (each G in one place, each P owned once, the idle
// counters, the nmspinning ledger), checkdead's soundness, work
// conservation, reachability goals that keep them from being vacuous, and
// liveness properties under weak fairness with fair locks. docs/invariants.md
// is generated from Catalog.
//
// # Presentation
//
// A Model formats states like GODEBUG=schedtrace=1,scheddetail=1 and steps
// as the fields they change, so that a counterexample reads in the
// runtime's terms.
package spec
