package spec

import (
	"sort"
	"strings"
	"testing"
)

// rareSteps are the steps that no configuration of the default test run
// fires: each needs a combination that makes the state space too large for
// it (two syscalling goroutines and a retake for the steal-back of oldp; a
// retaken P with timers for wakeNetPoller; more polled goroutines than a
// local queue holds for injectglist's overflow). Shrink this list by adding
// configurations, not by growing it.
var rareSteps = map[string]bool{
	"exitsyscallTryGetP.resume":             true,
	"wakeNetPoller":                         true,
	"injectglist.overflow.lock":             true,
	"injectglist.overflow.globrunqputbatch": true,
}

// TestZCoverage runs after the tests that check configurations (its file
// sorts last) and lists the steps that no configuration fired.
func TestZCoverage(t *testing.T) {
	coverage.Lock()
	defer coverage.Unlock()
	if testing.Short() || coverage.runs < len(pinned)-1 {
		t.Skip("needs TestStateSpaces to have run every configuration (not with -short)")
	}
	var never, fired []string
	for k, n := range coverage.fired {
		switch {
		case n == 0 && !rareSteps[k]:
			never = append(never, k)
		case n > 0 && rareSteps[k]:
			fired = append(fired, k)
		}
	}
	sort.Strings(never)
	sort.Strings(fired)
	if len(never) > 0 {
		t.Errorf("%d steps never fired in any checked configuration: %s", len(never), strings.Join(never, ", "))
	}
	if len(fired) > 0 {
		t.Errorf("steps listed in rareSteps fired after all; remove them from the list: %s", strings.Join(fired, ", "))
	}
}
