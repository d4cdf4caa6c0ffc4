import NetauditCLI

Entry.main()
