"""Which URLs ingestion may read, and how hostile XML is defused before any parser sees it.

A feed URL comes from a config file an analyst edits and, through redirects, from servers we do
not control. Both can point a fetcher at the metadata service (169.254.169.254), the Airflow API
on localhost or a database on the private network (SSRF). So every hop is checked:

- schemes: http and https; file:// only under configured roots (the sample corpus by default);
- hosts: every address a name resolves to must be public unless the host, the address or its
  network is allow-listed (`RISKRADAR_ALLOW_HOSTS`, comma separated, or `security.allow_private_hosts`
  in sources.yml). The connection is then made to the vetted address, so a second DNS answer
  cannot swap in a private one (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

ALLOW_HOSTS_ENV = "RISKRADAR_ALLOW_HOSTS"
FILE_ROOTS_ENV = "RISKRADAR_FILE_ROOTS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class URLRefused(ValueError):
    """The URL (or a redirect target) is outside what ingestion may read; the message says why."""


def _split_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@dataclass(frozen=True)
class URLPolicy:
    """Allowed schemes, file roots and private hosts for one run."""

    file_roots: tuple[Path, ...] = ()
    allow_hosts: frozenset[str] = frozenset()  # host names, lowercase
    allow_networks: tuple[IPNetwork, ...] = ()
    resolver: object = field(default=socket.getaddrinfo, compare=False, repr=False)

    @classmethod
    def build(cls, *, file_roots: Iterable[str | Path] = (), allow: Iterable[str] = (),
              use_env: bool = True) -> URLPolicy:
        """Policy from explicit lists plus, unless use_env=False, the RISKRADAR_* environment."""
        roots = [Path(r) for r in file_roots]
        entries = list(allow)
        if use_env:
            roots += [Path(r) for r in _split_list(os.environ.get(FILE_ROOTS_ENV))]
            entries += _split_list(os.environ.get(ALLOW_HOSTS_ENV))
        hosts: set[str] = set()
        nets: list[IPNetwork] = []
        for entry in entries:
            try:
                nets.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        resolved_roots = tuple(dict.fromkeys(r.expanduser().resolve() for r in roots))
        return cls(file_roots=resolved_roots, allow_hosts=frozenset(hosts), allow_networks=tuple(nets))

    def with_file_root(self, root: Path) -> URLPolicy:
        return URLPolicy(self.file_roots + (root.resolve(),), self.allow_hosts, self.allow_networks, self.resolver)

    # ---- checks ----
    def check_file(self, url: str) -> Path:
        """The local path of a file:// URL, if it lies under a configured root."""
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            raise URLRefused(f"file URL with a remote host is not allowed: {url}")
        path = Path(unquote(parsed.path)).resolve()
        for root in self.file_roots:
            if path == root or root in path.parents:
                return path
        roots = ", ".join(str(r) for r in self.file_roots) or "none configured"
        raise URLRefused(f"file {path} is outside the allowed file roots ({roots}); "
                         f"add its directory to security.file_roots in sources.yml or {FILE_ROOTS_ENV}")

    def address_allowed(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self.allow_networks):
            return True
        return ip.is_global and not ip.is_multicast

    def resolve(self, host: str, port: int) -> list[str]:
        """Addresses of host that we may connect to; raises URLRefused if any answer is private."""
        host_l = host.lower().rstrip(".").strip("[]")
        try:
            infos = self.resolver(host_l, port, type=socket.SOCK_STREAM)  # type: ignore[operator]
        except socket.gaierror as exc:
            raise OSError(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if host_l in self.allow_hosts:
            return addresses
        for addr in addresses:
            ip = ipaddress.ip_address(addr.split("%", 1)[0])
            if not self.address_allowed(ip):
                raise URLRefused(
                    f"refusing to connect to {host} ({addr}): private, loopback, link-local or reserved "
                    f"address; allow-list it in {ALLOW_HOSTS_ENV} or security.allow_private_hosts if intended")
        return addresses

    def check_http(self, url: str) -> None:
        """Scheme and host checks that need no network (the address check happens at connect)."""
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https"):
            raise URLRefused(f"scheme {parsed.scheme!r} is not allowed for {url} (only http, https, "
                             f"and file under configured roots)")
        if not parsed.hostname:
            raise URLRefused(f"URL has no host: {url}")
        if parsed.username or parsed.password:
            raise URLRefused(f"credentials in URLs are not allowed (use the source's auth setting): "
                             f"{parsed.scheme}://…@{parsed.hostname}")


# ---------------------------------------------------------------------------------------------
# XML entity attacks

_DOCTYPE_RE = re.compile(r"<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.IGNORECASE | re.DOTALL)
_ENTITY_DECL_RE = re.compile(r"<!ENTITY\b", re.IGNORECASE)
# The five predefined XML entities and numeric references are always safe; HTML named entities
# (&nbsp;, &eacute;) are common in feeds and feedparser's loose parser decodes them itself.


def defuse_doctype(text: str) -> tuple[str, str | None]:
    """Remove a DOCTYPE that declares entities (billion laughs, external entities).

    Returns (text, note). Feeds never need their own entities; the references left behind become
    undefined entities, which the parser reports and the loose parser leaves unexpanded. Python's
    expat also caps entity amplification, but we do not rely on a library version for that.
    """
    match = _DOCTYPE_RE.search(text)
    if not match:
        if _ENTITY_DECL_RE.search(text[:65536]):
            # an unterminated or odd DOCTYPE: cut everything from the declaration to the root element
            start = text.upper().find("<!DOCTYPE")
            if start >= 0:
                end = text.find("]>", start)
                end = end + 2 if end >= 0 else len(text)
                return text[:start] + text[end:], "removed a malformed DOCTYPE with entity declarations"
        return text, None
    if not _ENTITY_DECL_RE.search(match.group(0)) and "SYSTEM" not in match.group(0).upper():
        return text, None
    return (text[: match.start()] + text[match.end():],
            "removed a DOCTYPE declaring entities or an external subset (entity expansion is never performed)")
