"""Plan evaluation: the progress rules (reference implementation) and the frozen evaluation extracts."""
