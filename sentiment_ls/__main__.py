from sentiment_ls.cli import main

raise SystemExit(main())
