from dpf.cli import main

raise SystemExit(main())
