#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The Python baseline: what a user would script instead of jmap-pushd.

Opens N RFC 8887 WebSocket sessions with asyncio and Debian's
python3-websockets (subprotocol "jmap", Basic auth), sends
WebSocketPushEnable on each, prints "ready N" as its first stdout line once
all are established, then every frame received as one line, flushed.

usage: pyclient.py --url ws://127.0.0.1:PORT/jmap/ws/ --user U --password P
                   [--sessions N] [--types Email,Mailbox]
"""
import argparse
import asyncio
import base64
import json
import sys

import websockets


async def session(args, ready):
    auth = base64.b64encode(("%s:%s" % (args.user, args.password))
                            .encode()).decode()
    enable = {"@type": "WebSocketPushEnable",
              "dataTypes": args.types.split(",") if args.types else None}
    async with websockets.connect(
            args.url, subprotocols=["jmap"],
            extra_headers={"Authorization": "Basic " + auth}) as ws:
        await ws.send(json.dumps(enable))
        ready.release()
        async for msg in ws:
            if isinstance(msg, bytes):
                msg = msg.decode("utf-8", "replace")
            sys.stdout.write(msg.replace("\n", " ") + "\n")
            sys.stdout.flush()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="alice@example.com")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--sessions", type=int, default=1)
    ap.add_argument("--types", default="")
    args = ap.parse_args()

    ready = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(session(args, ready))
             for _ in range(args.sessions)]
    for _ in range(args.sessions):
        waiter = asyncio.create_task(ready.acquire())
        done, _ = await asyncio.wait({waiter} | set(tasks),
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            for t in done:
                t.result()  # raises why a session ended early
            sys.exit("pyclient: a session ended before all were ready")
    sys.stdout.write("ready %d\n" % args.sessions)
    sys.stdout.flush()
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
