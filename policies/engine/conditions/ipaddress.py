"""IpAddress / NotIpAddress: IPv4 or IPv6 CIDR; an address without a prefix is a single host.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
"""

from __future__ import annotations

import ipaddress as ip
from collections.abc import Callable
from functools import lru_cache

Predicate = Callable[[object], bool]


def request_value(raw: str) -> object | None:
    try:
        return ip.ip_address(raw.split("/", 1)[0]) if "/" not in raw else ip.ip_network(raw, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def predicate(base: str, value: str) -> Predicate:
    try:
        network = ip.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or CIDR range such as 203.0.113.0/24") from None

    def contains(rv: object) -> bool:
        if isinstance(rv, ip.IPv4Address | ip.IPv6Address):
            return rv.version == network.version and rv in network
        if isinstance(rv, ip.IPv4Network | ip.IPv6Network):
            return rv.version == network.version and rv.subnet_of(network)  # type: ignore[arg-type]
        return False
    return contains
