"""Reward shaping: length, repetition, group statistics, robust aggregation, corrections."""
