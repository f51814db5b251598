package spec

// The steps an M can be at. The names, in steps[pc].name, are the runtime
// function and the phase; docs/model.md maps each to its lines in proc.go.
const (
	_ pc = iota // 0: an M that does not exist yet

	// schedule, execute and user code (step_schedule.go)
	pcSchedule
	pcResetSpinning
	pcExecute
	pcUser
	pcParkM
	pcParkUnlock
	pcParkNetCommit
	pcTimerWake
	pcGoschedLock
	pcGoschedPut
	pcNewproc114Check
	pcReady114Check

	// findRunnable (step_findrunnable.go)
	pcFRTop
	pcFRFairLock
	pcFRFairGet
	pcFRLocal
	pcFRGlobalLock
	pcFRGlobalGet
	pcFRPutBatch
	pcFRNetpoll
	pcFRNetpollPoll
	pcFRNetpollStore
	pcFRNetpollCas
	pcNetpollAdjust
	pcFRSpinGate
	pcFRSpinGateNpidle
	pcBecomeSpinning
	pcBecomeSpinning2
	pcSteal
	pcStealRunnext
	pcStealPublish
	pcStealTimerRunqget
	pcFRDropLock
	pcFRDropP
	pcFRDance
	pcFRDanceLock
	pcFRDanceGlobal
	pcFRDancePutBatch
	pcFRDanceAcquire
	pcFRCheckRunqs
	pcFRCheckRunqsLock
	pcFRCheckRunqsGet
	pcFRCheckRunqsAcquire
	pcFRCheckTimers
	pcFRPoll
	pcFRPollBlock
	pcFRPollReturn
	pcFRPollLock
	pcFRPollGet
	pcFRPollAcquire
	pcFRRecheck114
	pcFRRecheck114Lock
	pcFRRecheck114Get
	pcFRRecheck114Acquire

	// stopm, startm, newm, mstart, wakep, handoffp (step_mstate.go)
	pcStopm
	pcStopmMput
	pcStopmSleep
	pcStartm
	pcStartmBody
	pcStartmNewm
	pcStartmNewm114Lock
	pcStartmNewm114
	pcStartmRelock
	pcStartmWake
	pcMstart
	pcMspinning
	pcMstartAcquire
	pcWakep
	pcWakepLock
	pcWakepGet
	pcHandoffp
	pcHandoffpSpin
	pcHandoffpSpinNpidle
	pcHandoffpCas
	pcHandoffpNeedspin
	pcHandoffpLock
	pcHandoffpIdle
	pcWakeNetPoller

	// ready, runqput, injectglist (step_ready.go)
	pcReady
	pcRunqput
	pcRunqputTail
	pcRunqputSlowLock
	pcRunqputSlowPut
	pcInjectglist
	pcInjectLock
	pcInjectPut
	pcInjectGlobLock
	pcInjectGlobPut
	pcInjectLocal
	pcInjectOverflowLock
	pcInjectOverflowPut
	pcStartIdle
	pcStartIdleGet
	pcStartIdleUnlock
	pcInject114Lock
	pcInject114Put
	pcInject114Start

	// system calls (step_syscall.go)
	pcEntersyscallSysmon
	pcEntersyscallWakeLock
	pcEntersyscallWake
	pcEntersyscall114Release
	pcInSyscall
	pcSBRead
	pcSBCas
	pcSBCheck
	pcExitTakeP
	pcExitResume
	pcExitAcquire
	pcExitPidleLock
	pcExitPidleGet
	pcExitNoP
	pcExitNoPLock
	pcExitNoPGet
	pcExitNoPAcquire
	pcExit114Fast
	pcExit114Wirep
	pcExit114Cas
	pcExit114PidleLock
	pcExit114PidleGet
	pcExit114Acquire
	pcExit114Slow
	pcExit114SlowLock
	pcExit114SlowGet
	pcExit114SlowAcquire

	// sysmon (step_sysmon.go)
	pcSysmonStartLock
	pcSysmonStart
	pcSysmonLoop
	pcSysmonDeepLock
	pcSysmonDeep
	pcSysmonSleep
	pcSysmonWakeLock
	pcSysmonWake
	pcSysmonNet
	pcSysmonNetDecLock
	pcSysmonNetDec
	pcSysmonNetIncLock
	pcSysmonNetInc
	pcSysmonTimers114
	pcRetake
	pcRetakeDecLock
	pcRetakeDec
	pcRetakeDecide
	pcRetakeResume
	pcRetakeTakeP
	pcRetakeTakePResume
	pcRetakeIncLock
	pcRetakeInc
	pcRetake114Cas
	pcRetake114DecLock
	pcRetake114Dec
	pcPreemptRead
	pcPreemptSet
	pcSysmonForcegc
	pcSysmonForcegcLock
	pcSysmonForcegcUnlock
	pcStealRetry
	pcStealNext

	// stop-the-world, safe points and GC mark work (step_gc.go)
	pcSTWLock
	pcSTWStop
	pcSTWSyscall
	pcSTWSyscallStop
	pcSTWSyscallResume
	pcSTWIdle
	pcSTWSleep
	pcSTWCheck
	pcStartTW
	pcStartTWLock
	pcStartTWProcresize
	pcStartTWRunP
	pcStartTWNewmLock
	pcStartTWNewm
	pcForEachPLock
	pcForEachP
	pcForEachPSyscall
	pcForEachPTakeP
	pcForEachPResume
	pcForEachPSleep
	pcForEachPCheck
	pcForEachPClearLock
	pcForEachPClear
	pcRunSafePointFn
	pcRunSafePointFnLock
	pcRunSafePointFnDec
	pcGcstopm
	pcGcstopmLock
	pcGcstopmStop
	pcEntersyscallGCWait
	pcEntersyscallGCWaitLock
	pcEntersyscallGCWaitStop
	pcEntersyscall114GCWaitLock
	pcEntersyscall114GCWait
	pcStartTW114Wakep
	pcSTWSyscall114
	pcForEachPSyscall114
	pcFRIdleGC
	pcGCMarkWorker
	pcCheckIdleGC
	pcCheckIdleGCLock
	pcCheckIdleGCGet
	pcCheckIdleGCAcquire

	// locked threads (step_locked.go)
	pcStoplockedm
	pcStoplockedmLock
	pcStoplockedmInc
	pcStoplockedmPark
	pcStartlockedm
	pcStartlockedmDec
	pcStartlockedmWake
	pcExitNoPLockedRead
	pcMexit
	pcMexitLock
	pcMexitFree

	numPC
)
