#!/usr/bin/env python3
"""A configurable SMTP relay for vigie-notify's tests, built on aiosmtpd (PyPI `aiosmtpd`).

It binds 127.0.0.1 on the port given (0 picks a free one), prints `READY <port>` on stdout
once it listens, and stores each accepted message in --out as `<n>.env` (MAIL FROM then one
RCPT TO per line) and `<n>.eml` (the content as received, after dot-unstuffing).
"""

import argparse
import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

SES_UNVERIFIED = (
    "554 Message rejected: Email address is not verified. The following identities "
    "failed the check in region US-EAST-1: {address}"
)


class Handler:
    def __init__(self, args):
        self.args = args
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.args.ses_unverified:
            return SES_UNVERIFIED.format(address=address)
        if self.args.transient:
            return "451 4.3.0 Temporary local problem, try again later"
        if self.args.reject_mail:
            return "554 5.7.1 Sender blocked by local policy"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.data_too_large:
            return "552 5.3.4 Message too big for system"
        self.count += 1
        base = os.path.join(self.args.out, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.content)
        with open(base + ".env", "w") as f:
            f.write("\n".join([envelope.mail_from] + envelope.rcpt_tos) + "\n")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as VIGIE%04d" % self.count


def authenticator(args):
    def check(server, session, envelope, mechanism, auth_data):
        if args.auth_reject or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = (
            auth_data.login.decode() == args.auth_user
            and auth_data.password.decode() == args.auth_password
        )
        return AuthResult(success=ok, handled=False)

    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["plain", "starttls", "implicit"], default="starttls")
    parser.add_argument("--cert", help="PEM chain, server certificate first")
    parser.add_argument("--key", help="PEM private key")
    parser.add_argument("--out", required=True)
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password")
    parser.add_argument("--auth-reject", action="store_true", help="answer 535 to every AUTH")
    parser.add_argument("--auth-exclude", action="append", default=[], help="e.g. PLAIN")
    parser.add_argument("--ses-unverified", action="store_true", help="554 SES text to MAIL")
    parser.add_argument("--transient", action="store_true", help="451 to MAIL")
    parser.add_argument("--reject-mail", action="store_true", help="554 5.7.1 to MAIL")
    parser.add_argument("--data-too-large", action="store_true", help="552 5.3.4 after DATA")
    parser.add_argument("--require-starttls", action="store_true", help="530 before STARTTLS")
    parser.add_argument("--size-limit", type=int, default=33554432)
    args = parser.parse_args()

    context = None
    if args.mode in ("starttls", "implicit"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    handler = Handler(args)
    use_auth = args.auth_user is not None or args.auth_reject

    def factory():
        return SMTP(
            handler,
            hostname="relay.test",
            data_size_limit=args.size_limit,
            tls_context=context if args.mode == "starttls" else None,
            require_starttls=args.require_starttls,
            authenticator=authenticator(args) if use_auth else None,
            auth_required=use_auth,
            # Implicit TLS is encrypted from the first byte, which aiosmtpd does not see as
            # TLS; plain mode tests the client's own refusal and its insecure option.
            auth_require_tls=args.mode == "starttls",
            auth_exclude_mechanism=args.auth_exclude,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            factory,
            host="127.0.0.1",
            port=args.port,
            ssl=context if args.mode == "implicit" else None,
        )
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
