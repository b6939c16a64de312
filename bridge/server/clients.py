"""Registered clients and authorised sockets: who hears what (destinations, answer_to, own_addresses), who may
ask what (authorized).  The handlers that change these tables (/sentgen/hello, /bye, /hello/check, /auth) are in
bridge/server/handlers.py with every other handler.
"""
from __future__ import annotations

import ipaddress

from bridge.server.checks import OPEN_ROUTES
from bridge.server.work import Senders

MAX_CLIENTS = 32               # registrations in all; a full table refuses new ones (never evicts)
MAX_CLIENTS_PER_HOST = 16      # registrations from one host
MAX_HELLO_SOURCES = 8          # sockets remembered per registration besides the one that made it
MAX_AUTHORIZED = 256           # sockets that sent the token (the oldest is forgotten beyond this)


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False                 # a host name: it may resolve to anything


def needs_token(host: str, token: str | None) -> str | None:
    """Why an engine listening on host cannot start with this token, or None."""
    if token is None and not is_loopback(host):
        return (f"listening on {host} (beyond loopback) needs a token: start with --token T or set "
                f"SENTGEN_TOKEN, and give the surfaces the same token (docs/protocol.md)")
    if token is not None and not token:
        return "the token is empty"
    return None


class _Registration:
    """A registered client (host, reply_port): the socket that made it, which alone (or the address
    itself) may remove it, and the sockets that said hello for it (their requests count as registered)."""
    __slots__ = ("owner", "sources")

    def __init__(self, owner):
        self.owner, self.sources = owner, {owner: None}


class Clients:
    """The engine's registration and authorisation tables (shared, under `_cv`)."""

    def _registered(self, sender) -> bool:
        return sender is None or sender in self._hello_sources or sender in self._clients

    def _dests(self, sender, broadcast: bool) -> list:
        with self._cv:
            if not isinstance(sender, Senders):          # one sender (the common case)
                if self._registered(sender):
                    return list(self._clients)
                return [*self._clients, sender] if broadcast else [sender]
            out = {}
            for s in sender if isinstance(sender, Senders) else (sender,):
                if broadcast or self._registered(s):
                    out.update(dict.fromkeys(self._clients))
                if not self._registered(s):
                    out[s] = None
        return list(out)

    def destinations(self, sender) -> list:
        """Where a state change goes: every registered client, and the sender when it never said hello
        (sender: an address, a Senders, or None for MIDI)."""
        return self._dests(sender, True)

    def answer_to(self, sender) -> list:
        """Where a reply that changes nothing (a read, an error) goes: like a state change for a
        registered sender (or MIDI), to the sender alone when it never said hello."""
        return self._dests(sender, False)

    def own_addresses(self, sender) -> list:
        """The sender and the reply ports it registered: 'to the sender only' (Max's [udpsend] sends
        from a port nobody listens on; its [udpreceive] is the registered port)."""
        with self._cv:
            return [sender, *sorted(k for k in self._hello_sources.get(sender, ()) if k != sender)]

    def authorized(self, address: str, sender) -> bool:
        """May this sender make this request?  Always without a token; with one, the open routes
        (reads) always, the others only from a socket that sent the token (/sentgen/auth)."""
        if self.token is None or address in OPEN_ROUTES:
            return True
        with self._cv:
            return sender in self._authorized

    def _forget_source(self, source, key, reg):
        """Caller holds self._cv."""
        reg.sources.pop(source, None)
        keys = self._hello_sources.get(source)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._hello_sources[source]
