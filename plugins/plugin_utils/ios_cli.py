# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device object of ``module_utils/ios`` (``get_config()``, ``send(line)``) over a network_cli connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.connection import ConnectionError
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push


class CliDevice(object):
    """The device seen through the persistent network_cli connection (cliconf RPCs)."""

    def __init__(self, connection):
        self._connection = connection

    def get_config(self):
        return to_text(self._connection.get_config(source="running"))

    def send(self, line):
        try:
            return to_text(self._connection.send_command(line))
        except ConnectionError as err:
            raise push.DeviceError(to_text(err)) from None
