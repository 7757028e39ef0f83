"""The simulated world: one deterministic city that feeds every source simulator."""
