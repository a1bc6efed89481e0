"""IPython startup file: this kernel may talk to loopback only (installed by ../../conftest.py).

Copied into ``$IPYTHONDIR/profile_default/startup/`` for the test session, so that every
kernel the tests start -- nbval's, nbclient's, the build's -- runs it first.  Connections
(``socket.socket.connect`` / ``connect_ex`` / ``sendto``, ``socket.create_connection``) and
host-name lookups (``socket.getaddrinfo``) to anything but this machine are refused with
an ``OSError`` that says why; 127.0.0.1 / ::1 / localhost keep working, and so do the
kernel's own ZeroMQ channels (C sockets, on 127.0.0.1).
"""

import errno as _errno
import ipaddress as _ipaddress
import socket as _socket

_BLOCKED = ("network access is blocked while the course's notebooks are tested (loopback "
            "only): {!r}")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "",
                _socket.gethostname()}


def _is_local_host(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or str(host).lower() in _LOCAL_NAMES:
        return True
    try:
        address = _ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False  # a host name other than this machine's: refused without resolving it
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _is_local(address) -> bool:
    # AF_UNIX paths and other families are not network addresses
    return not isinstance(address, tuple) or _is_local_host(address[0])


def _refuse(address):
    return OSError(_errno.ENETUNREACH, _BLOCKED.format(address))


_connect, _connect_ex = _socket.socket.connect, _socket.socket.connect_ex
_sendto, _create_connection = _socket.socket.sendto, _socket.create_connection
_getaddrinfo = _socket.getaddrinfo


def _guarded_connect(self, address):
    if not _is_local(address):
        raise _refuse(address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        return _errno.ENETUNREACH
    return _connect_ex(self, address)


def _guarded_sendto(self, data, *args):
    if args and not _is_local(args[-1]):
        raise _refuse(args[-1])
    return _sendto(self, data, *args)


def _guarded_create_connection(address, *args, **kwargs):
    if not _is_local(address):
        raise _refuse(address)
    return _create_connection(address, *args, **kwargs)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local_host(host):
        raise _socket.gaierror(_socket.EAI_NONAME, _BLOCKED.format(host))
    return _getaddrinfo(host, *args, **kwargs)


_socket.socket.connect = _guarded_connect
_socket.socket.connect_ex = _guarded_connect_ex
_socket.socket.sendto = _guarded_sendto
_socket.create_connection = _guarded_create_connection
_socket.getaddrinfo = _guarded_getaddrinfo
_socket.hiertools_network_blocked = True  # tests look for this flag
