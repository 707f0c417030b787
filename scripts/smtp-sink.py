#!/usr/bin/env python3
"""A local SMTP sink for development and tests: accepts every message on loopback and writes it,
unchanged, into a Maildir (one file per message under <maildir>/new). Nothing is relayed.

Run by scripts/mail.sh (mail_start) from the venv that scripts/bootstrap.sh makes under
~/.cache/ic-portal/tools/smtp-sink (PyPI package aiosmtpd).

    smtp-sink.py --port 2525 --maildir target/mail
"""
import argparse
import asyncio
import mailbox
import os
import signal

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path):
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.box = mailbox.Maildir(path, create=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Record the envelope as headers of our own, as a delivering server would.
        head = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        self.box.add(head + envelope.original_content)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--maildir", required=True)
    a = p.parse_args()
    if a.host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit("the sink listens on loopback only")
    os.makedirs(a.maildir, exist_ok=True)
    controller = Controller(MaildirHandler(a.maildir), hostname=a.host, port=a.port)
    controller.start()
    print(f"smtp sink on {a.host}:{a.port}, mail in {a.maildir}", flush=True)
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for s in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
