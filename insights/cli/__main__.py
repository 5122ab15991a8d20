from insights.cli.main import main

main()
