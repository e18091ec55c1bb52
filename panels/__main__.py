from panels.cli import main

main()
