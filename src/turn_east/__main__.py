import sys

from turn_east.cli import main

sys.exit(main())
