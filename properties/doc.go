// Package properties tests the scheduler spec with property-based random
// walks (pgregory.net/rapid) on configurations too large for the exhaustive
// checker: up to 8 Ps, 9 Ms and 8 goroutines running random programs.
//
// Every choice of a walk is drawn from rapid (the configuration, the
// workload, each action among the enabled ones), so a failure shrinks to a
// small workload and a short schedule, and rapid's log of the draws is the
// schedule in the runtime's terms ("draw step 12: m1 findRunnable.dropP").
// A failure also prints the workload in the workload file format, the
// gmpcheck replay command and the trace.
//
// What is checked, and how (README.md has the commands):
//
//   - after every step, every Always property of the spec and the
//     conservation of goroutines (Ledger, conservation.go);
//   - at the end of a run, checkdead against a ground truth computed from
//     the programs alone (Analyze, truth.go; Walk.CheckEnd, check.go);
//   - at quiescence, work conservation (quiescence.go);
//   - replaying a walk gives the same states byte for byte.
package properties
