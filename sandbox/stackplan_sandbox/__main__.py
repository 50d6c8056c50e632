"""Starts the sandbox: moto's server with Stackplan's extensions, on the loopback interface.

    python -m stackplan_sandbox --port 5000 [--pace-ms 150]

moto has no authentication, so the sandbox refuses to listen anywhere but loopback.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

LOOPBACK_NAMES = {"localhost"}


def loopback(host: str) -> str:
    if host in LOOPBACK_NAMES:
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{host} is not a loopback address: the sandbox has no authentication, so it listens on "
        "127.0.0.1 or ::1 only"
    )


def pace_ms(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError("the pace is between 0 and 10000 ms per resource")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stackplan_sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", type=loopback, default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument(
        "--pace-ms",
        type=pace_ms,
        default=0,
        help="time each resource takes in a stack operation; with a pace, operations run after "
        "the request answers, as on AWS, so a watcher sees the stack build (default 0: inside "
        "the request)",
    )
    args = parser.parse_args(argv)

    from . import install, stacks

    install()
    stacks.set_pace(args.pace_ms / 1000)

    import moto
    from moto import server

    print(
        f"stackplan sandbox: moto {moto.__version__} with extensions on "
        f"http://{args.host}:{args.port}, pace {args.pace_ms} ms per resource",
        file=sys.stderr,
        flush=True,
    )
    server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
