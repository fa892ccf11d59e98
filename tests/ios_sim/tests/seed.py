"""The seed site-to-site configuration (R2), its mirror (R3), and R2's config as IOS displays it."""

import os

from ..platform import DATA_DIR

WORLD_FILE = os.path.join(DATA_DIR, "world-site-to-site.yml")

SEED_R2 = """\
ip access-list extended VPN
 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
crypto isakmp policy 10
 encryption des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key cisco address 202.100.1.2
crypto ipsec transform-set MYSET esp-des esp-md5-hmac
 mode tunnel
crypto map MYMAP 100 ipsec-isakmp
 set peer 202.100.1.2
 set transform-set MYSET
 match address VPN
interface Serial0
 crypto map MYMAP
access-list 100 permit udp any eq 500 any eq isakmp
access-list 100 permit esp any any
access-list 100 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
crypto isakmp keepalive 10 3
"""

SEED_R3 = """\
ip access-list extended VPN
 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
crypto isakmp policy 10
 encryption des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key cisco address 202.100.1.1
crypto ipsec transform-set MYSET esp-des esp-md5-hmac
 mode tunnel
crypto map MYMAP 100 ipsec-isakmp
 set peer 202.100.1.1
 set transform-set MYSET
 match address VPN
interface Serial0
 crypto map MYMAP
access-list 100 permit udp any eq 500 any eq isakmp
access-list 100 permit esp any any
access-list 100 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
crypto isakmp keepalive 10 3
"""

# The same intent written the way running-config shows it: `encryption des` is a hidden default and port 500 is
# displayed by name. Pushing this form is idempotent; pushing SEED_R2 again is not.
DISPLAYED_R2 = """\
ip access-list extended VPN
 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
crypto isakmp policy 10
 hash md5
 authentication pre-share
 group 2
crypto isakmp key cisco address 202.100.1.2
crypto ipsec transform-set MYSET esp-des esp-md5-hmac
 mode tunnel
crypto map MYMAP 100 ipsec-isakmp
 set peer 202.100.1.2
 set transform-set MYSET
 match address VPN
interface Serial0
 crypto map MYMAP
access-list 100 permit udp any eq isakmp any eq isakmp
access-list 100 permit esp any any
access-list 100 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
crypto isakmp keepalive 10 3
"""


def configure(world, device, text):
    """Enter config mode, type ``text`` line by line, end; returns everything the router printed."""
    return world.run(device, "configure terminal", *text.splitlines(), "end")
