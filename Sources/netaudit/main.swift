import NetauditCLI

Entry.unblockStopSignals()  // on the main thread, before any other thread starts
await Entry.main()
