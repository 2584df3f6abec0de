"""``python -m mock_api --port 18765 [--host 127.0.0.1] [--api-key KEY] [--fixtures DIR]``"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .fixtures import DEFAULT_FIXTURES_DIR
from .server import DEFAULT_API_KEY, MockState, listen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_api", description=__doc__)
    parser.add_argument("--port", type=int, default=18765, help="port to listen on (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key clients must send as x-api-key")
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES_DIR, help="fixtures directory")
    args = parser.parse_args(argv)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        server = listen(MockState(args.api_key, args.fixtures), args.port, args.host)
        # Printed line is what wrappers (benchmark, browser tests) wait for.
        print(f"mock_api listening on http://{args.host}:{server.port}", flush=True)
        await stop.wait()
        server.stop()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
