package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts check's -cpuprofile and prepares its -memprofile;
// the function it returns stops the one and writes the other. The heap
// profile is written without collecting first, so it shows the heap as of
// the search's last collection: what the search held, not what is left
// once it returned.
func startProfiles(cpu, mem string) (stop func() error, err error) {
	var cf *os.File
	if cpu != "" {
		if cf, err = os.Create(cpu); err != nil {
			return nil, fmt.Errorf("-cpuprofile: %w", err)
		}
		if err = pprof.StartCPUProfile(cf); err != nil {
			cf.Close()
			return nil, fmt.Errorf("-cpuprofile: %w", err)
		}
	}
	if mem != "" {
		// Large blocks are what a check's memory is made of: sample
		// one in 64 KiB allocated, which costs nothing measurable.
		runtime.MemProfileRate = 64 << 10
	}
	return func() error {
		if cf != nil {
			pprof.StopCPUProfile()
			if err := cf.Close(); err != nil {
				return fmt.Errorf("-cpuprofile: %w", err)
			}
		}
		if mem == "" {
			return nil
		}
		mf, err := os.Create(mem)
		if err != nil {
			return fmt.Errorf("-memprofile: %w", err)
		}
		if err := pprof.Lookup("heap").WriteTo(mf, 0); err != nil {
			mf.Close()
			return fmt.Errorf("-memprofile: %w", err)
		}
		return mf.Close()
	}, nil
}
