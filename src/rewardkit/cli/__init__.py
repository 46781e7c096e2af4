"""The ``rewardkit`` command."""
