"""`python -m simulator`: serve the villages of a registry (see simulator.villages.main)."""

from simulator.villages import main

main()
