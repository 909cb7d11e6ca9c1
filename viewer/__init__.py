"""docnorm's outer layer: the command line (and, later, the Flask viewer)."""
