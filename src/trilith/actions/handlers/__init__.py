"""Action handlers, one module per family; each registers its types in `registry`."""
