from cbis.cli.main import main

main()
