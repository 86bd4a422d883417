"""Service configuration, metrics and other cross-cutting pieces."""
