"""A certificate through ACME DNS-01, the TXT values published on WEDOS by hostapi.

``dns.set_txt(fqdn, value, wait=…)`` adds and commits each challenge's TXT row and returns once every
authoritative name server of the zone serves it, so the CA is asked to validate exactly when it can succeed; the
rows are removed afterwards with ``dns.clear_txt``. The ACME side is ``acme``, certbot's client library.

    WEDOS_USER=… WEDOS_PASSWORD=… python acme_dns01.py https://acme-v02.api.letsencrypt.org/directory \\
        example.cz '*.example.cz' --email you@example.cz --out ./certs

``--ca-bundle`` trusts another CA for the ACME server's HTTPS (a test CA such as pebble), ``--nameserver
HOST:PORT`` asks those name servers instead of the zone's NS records (the emulator's DNS server in tests), and
``WEDOS_BASE_URL`` points the client at the emulator.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from acme import challenges, client, crypto_util, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from josepy.jwk import JWKRSA

from hostapi import wedos


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def certificate(
    directory: str,
    domains: List[str],
    *,
    email: Optional[str],
    ca_bundle: Optional[str],
    nameservers: List[str],
    wait: float,
) -> Tuple[bytes, bytes]:
    """The certificate chain (PEM) for `domains` and its private key (PEM)."""
    account_key = JWKRSA(key=new_key())
    net = client.ClientNetwork(account_key, user_agent="hostapi-acme-example",
                               verify_ssl=ca_bundle if ca_bundle else True)  # type: ignore[arg-type]
    acme = client.ClientV2(client.ClientV2.get_directory(directory, net), net)
    acme.new_account(messages.NewRegistration.from_data(email=email, terms_of_service_agreed=True))
    key = new_key()
    order = acme.new_order(crypto_util.make_csr(pem(key), domains))
    published: List[Tuple[str, str]] = []
    with wedos.Client.from_env() as dns_account:
        try:
            answers = []
            for authz in order.authorizations:
                if authz.body.status == messages.STATUS_VALID:
                    continue
                challenge = next(c for c in authz.body.challenges if isinstance(c.chall, challenges.DNS01))
                response, value = challenge.chall.response_and_validation(account_key)
                fqdn = challenge.chall.validation_domain_name(authz.body.identifier.value)
                print(f"publishing {fqdn} TXT {value} and waiting for the name servers", file=sys.stderr)
                dns_account.dns.set_txt(fqdn, value, wait=wait, nameservers=nameservers or None)
                published.append((fqdn, value))
                answers.append((challenge, response))
            for challenge, response in answers:
                acme.answer_challenge(challenge, response)
            deadline = datetime.datetime.now() + datetime.timedelta(seconds=120)
            done = acme.poll_and_finalize(order, deadline=deadline)
        finally:
            for fqdn, value in published:
                dns_account.dns.clear_txt(fqdn, value)
    return done.fullchain_pem.encode(), pem(key)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="the ACME server's directory URL")
    parser.add_argument("domains", nargs="+", help="the certificate's names (e.g. example.cz '*.example.cz')")
    parser.add_argument("--email", help="the ACME account's contact address")
    parser.add_argument("--ca-bundle", help="trust this CA bundle for the ACME server's HTTPS")
    parser.add_argument("--nameserver", action="append", default=[], metavar="HOST:PORT",
                        help="ask this name server for the TXT values (repeatable; default: the zone's NS records)")
    parser.add_argument("--wait", type=float, default=3600, metavar="SECS",
                        help="give up when the name servers do not serve a value within SECS (default 3600)")
    parser.add_argument("--out", type=Path, default=Path("."), help="where fullchain.pem and privkey.pem go")
    args = parser.parse_args(argv)
    chain, key = certificate(args.directory, args.domains, email=args.email, ca_bundle=args.ca_bundle,
                             nameservers=args.nameserver, wait=args.wait)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fullchain.pem").write_bytes(chain)
    key_path = args.out / "privkey.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key)
    print(f"certificate for {', '.join(args.domains)} in {args.out / 'fullchain.pem'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
