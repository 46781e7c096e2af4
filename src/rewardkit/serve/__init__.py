"""The reward server (``rewardkit serve``); needs ``pip install 'rewardkit[server]'``."""
