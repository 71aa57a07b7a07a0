"""A real SMTP server on loopback for the mail tests (aiosmtpd): every message it receives is
appended to a JSON-lines file, decoded (recipients, subject, plain-text body).

Usage: python smtp_catcher.py PORT FILE   (prints "ready" once listening)
"""

import email
import email.policy
import json
import sys
import threading

from aiosmtpd.controller import Controller


class Catch:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        record = {
            "rcpt": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "body": body.get_content() if body is not None else "",
        }
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Catch(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
