"""``python -m ingestion.receiver [--host H] [--port N]``: the HJ 212-2017 TCP receiver."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingestion.common.home import Home
from ingestion.receiver.server import default_port, run


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ingestion.receiver", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=None,
                    help=f"TCP port (default $ZTECO_RECEIVER_PORT or {default_port()}; 0 = any free port)")
    ap.add_argument("--home", default=None, help="data home (default $ZTECO_HOME)")
    args = ap.parse_args(argv)
    home = Home(Path(args.home).resolve()) if args.home else Home.from_env()
    run(home.ensure(), args.host, args.port)


if __name__ == "__main__":
    main()
