"""One module per API resource: ``client.<resource>.<verb>(...)``."""
