"""Model-based rewards (reward models, PRMs, judges); optional extras, imported lazily."""
