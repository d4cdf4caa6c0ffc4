import NetauditCLI

await Entry.main()
