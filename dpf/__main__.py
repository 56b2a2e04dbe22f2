from dpf.commands.main import main

raise SystemExit(main())
