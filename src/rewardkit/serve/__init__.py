"""The reward server (``rewardkit serve``); needs ``pip install 'rewardkit[server]'``.

``create_app(config)`` builds the FastAPI application; FastAPI and uvicorn are imported only
when an app is built or served, so importing this package never needs them.
"""

from rewardkit.serve._app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
