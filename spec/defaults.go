package spec

// DefaultWorkload is testdata/workloads/default.txt, compiled in so that
// `go run ./cmd/gmpcheck` works from any directory (a test keeps the two
// equal).
const DefaultWorkload = `# The default configuration, what "go run ./cmd/gmpcheck" checks: two Ps,
# sysmon and three worker Ms (m0 and two more), three goroutines. main starts
# a goroutine that waits on the network and one that exits at once, then
# makes a system call that sysmon may retake; the network waiter is woken by
# the poller (findRunnable's netpoll, the blocking netpoll of an idle M, or
# sysmon's) whenever the environment makes its descriptor ready.
gomaxprocs 2
ms 3
runq 2
features sysmon netpoll

g main
	go net
	go short
	syscall

g net
	netwait

g short
	exit
`

// Default returns the default configuration.
func Default() *Config {
	c, err := ParseWorkload("testdata/workloads/default.txt", "default", []byte(DefaultWorkload))
	if err != nil {
		panic(err)
	}
	return c
}
