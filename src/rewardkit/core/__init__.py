"""Core: types, registry, options, spec loading, composition and the engine."""
