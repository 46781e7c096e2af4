"""Adapters for verl, TRL and OpenRLHF."""
