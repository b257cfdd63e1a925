"""The newsfuse web app (FastAPI): `create_app(db_path)` builds it, `serve` runs it with uvicorn.

Rules: loopback only unless the caller says otherwise explicitly (`allow_remote`); the app is
read-only (see app.py).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from .app import create_app

__all__ = ["create_app", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000,
          allow_remote: bool = False) -> None:
    """Run the app until interrupted; a non-loopback host needs allow_remote=True."""
    import uvicorn

    if not is_loopback(host) and not allow_remote:
        raise PermissionError(f"refusing to listen on {host}: not loopback (allow it explicitly)")
    uvicorn.run(create_app(db_path), host=host, port=port, log_level="warning")
