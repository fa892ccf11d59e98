#!/usr/bin/env python
"""A throwaway PKI for the lab and the tests: one CA, one certificate per site, and a second CA.

Made fresh on every ``labctl up`` (never committed) with the ``cryptography`` library:

    pki.py DIR --sites N [--days D]

writes into DIR:
    ca.pem, ca.key                  the lab CA (ECDSA P-256)
    siteN.pem, siteN.key            site N: CN=siteN, subjectAltName DNS:siteN.lab.test and IP:<public address>
    other-ca.pem, other-ca.key      an unrelated CA, and other-site1.pem/.key signed by it (for the negative tests)

Keys are written 0600 and DIR 0700. The functions are importable, so tests build their own PKIs with fixed times.
"""

import argparse
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LAB_DOMAIN = "lab.test"


def name(common_name, organisation="ipsec.vpn lab"):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def make_ca(common_name, not_before, not_after, organisation="ipsec.vpn lab"):
    key = new_key()
    subject = name(common_name, organisation)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def make_leaf(ca_cert, ca_key, common_name, not_before, not_after, dns_names=(), ip_addresses=(),
              organisation="ipsec.vpn lab", key=None):
    key = key or new_key()
    sans = [x509.DNSName(d) for d in dns_names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def _write(path, text, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


def write_lab_pki(directory, public_addresses, days=30):
    """public_addresses: {site name: public address}. Returns the file names written."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=days)
    written = []

    def save(stem, cert, key):
        _write(os.path.join(directory, stem + ".pem"), cert_pem(cert), 0o644)
        _write(os.path.join(directory, stem + ".key"), key_pem(key), 0o600)
        written.extend([stem + ".pem", stem + ".key"])

    ca, ca_key = make_ca("ipsec.vpn lab CA", start, end)
    save("ca", ca, ca_key)
    for site, address in sorted(public_addresses.items()):
        cert, key = make_leaf(ca, ca_key, site, start, end, [f"{site}.{LAB_DOMAIN}"], [address])
        save(site, cert, key)
    other, other_key = make_ca("unrelated CA", start, end, organisation="elsewhere")
    save("other-ca", other, other_key)
    first = sorted(public_addresses)[0]
    cert, key = make_leaf(other, other_key, first, start, end, [f"{first}.{LAB_DOMAIN}"],
                          [public_addresses[first]], organisation="elsewhere")
    save("other-" + first, cert, key)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--site", action="append", default=[], metavar="NAME=ADDRESS",
                        help="a site and its public address (repeat)")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    sites = dict(item.split("=", 1) for item in args.site)
    if not sites:
        parser.error("give at least one --site NAME=ADDRESS")
    write_lab_pki(args.directory, sites, args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
