from crm_graphql.cli import main

raise SystemExit(main())
