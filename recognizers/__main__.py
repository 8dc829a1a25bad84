from recognizers.cli import main

raise SystemExit(main())
