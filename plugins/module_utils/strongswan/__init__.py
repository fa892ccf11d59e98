# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan gateways: everything the ``ipsec.vpn.strongswan_config`` action decides (pure Python, no ansible
import).

* :mod:`.render` - a host's plan -> the files the collection installs (swanctl connections, the keys file,
  GRE/xfrm interface scripts, the nftables table), byte for byte.
* :mod:`.routes` - the plan's routes to install, the routes installed earlier (``ip -j route``), their difference.
* :mod:`.state` - what the host holds (files, ``swanctl --list-conns --raw``, ``--list-sas``) against what the
  plan wants: what to write, prune, load, initiate, and which CHILD_SAs are down.
* :mod:`.backup` - what a backup holds and how a restore puts it back.
* :mod:`.commands` - the shell commands that carry all of it out on the host, each one time-bounded.
"""
