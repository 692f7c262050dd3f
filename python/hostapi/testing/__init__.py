"""Test your own automation offline: the hostapi emulator of both APIs, in-process, on a free loopback port.

.. code-block:: python

    from hostapi.testing import Emulator

    with Emulator() as emu:
        with emu.velneo_client() as client:
            assert client.vserver.status().is_running
        emu.state()["velneo"][emu.velneo_email]["logins"]  # == 1

The emulator is strict like the real services (signatures, timestamp windows, sessions, the WEDOS auth hour,
hourly limits, …) and answers in their documented shapes. Its control endpoints (reset, state, clock, faults)
are methods here. With pytest, the ``hostapi_emulator``, ``velneo_client`` and ``wedos_client`` fixtures of the
plugin :mod:`hostapi.testing.pytest_plugin` are available as soon as hostapi is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from typing import Any, List, Mapping, Optional, Union

from .. import _native
from .. import velneo as _velneo
from .. import wedos as _wedos

__all__ = ["Emulator", "EmulatorError"]


class EmulatorError(RuntimeError):
    """A control request the emulator refused (its ``{"error": …}`` answer), or an emulator that is stopped."""




class Emulator:
    """A running hostapi emulator (Velneo Cloud API and WEDOS WAPI), started in this process on its own thread.

    :param config: the emulator configuration: a mapping (the JSON config file's content) or the path of a JSON
        config file; default: the documented demo accounts.
    :param host: the loopback address to listen on (default ``127.0.0.1``).
    :param port: the port (default 0: a free one).
    :param dns_port: also serve DNS (UDP and TCP) for every WEDOS zone on this port (0: a free one; default: no
        DNS); its address is :attr:`dns`.

    Use it as a context manager, or call :meth:`stop`. The demo credentials (public, for the emulator only) are
    :attr:`velneo_email`, :attr:`velneo_api_key`, :attr:`wedos_user` and :attr:`wedos_password`.
    """

    #: The Velneo demo account's e-mail.
    DEMO_VELNEO_EMAIL: str = _native.DEMO_VELNEO_EMAIL
    #: The Velneo demo account's API key (public, for the emulator only).
    DEMO_VELNEO_API_KEY: str = _native.DEMO_VELNEO_API_KEY
    #: The WEDOS demo account's login.
    DEMO_WEDOS_USER: str = _native.DEMO_WEDOS_USER
    #: The WEDOS demo account's WAPI password (public, for the emulator only).
    DEMO_WEDOS_PASSWORD: str = _native.DEMO_WEDOS_PASSWORD

    def __init__(
        self,
        config: Union[Mapping[str, Any], str, "os.PathLike[str]", None] = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        dns_port: Optional[int] = None,
    ) -> None:
        if config is None:
            text: Optional[str] = None
        elif isinstance(config, Mapping):
            text = json.dumps(config)
        else:
            with open(os.fspath(config), encoding="utf-8") as f:
                text = f.read()
        if host not in ("127.0.0.1", "::1", "localhost"):
            warnings.warn(
                f"the hostapi emulator listens on {host}: it serves public demo credentials to whoever reaches it",
                stacklevel=2,
            )
        self._server = _native.Emulator(
            text, host="127.0.0.1" if host == "localhost" else host, port=port, dns_port=dns_port
        )
        self._state_dir = tempfile.mkdtemp(prefix="hostapi-emulator-state-")

    # ---- addresses and credentials -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._server.url

    @property
    def velneo_url(self) -> str:
        """The Velneo client's ``base_url`` (``…/v1``)."""
        return self._server.velneo_url

    @property
    def wedos_url(self) -> str:
        """The WEDOS client's ``base_url`` (``…/wapi/json``)."""
        return self._server.wedos_url

    @property
    def dns(self) -> Optional[str]:
        """The DNS server's ``HOST:PORT`` (UDP and TCP: every WEDOS zone, the committed rows), or ``None`` when
        started without ``dns_port``."""
        return self._server.dns

    @property
    def velneo_email(self) -> str:
        """The Velneo demo account's e-mail."""
        return self.DEMO_VELNEO_EMAIL

    @property
    def velneo_api_key(self) -> str:
        """The Velneo demo account's API key."""
        return self.DEMO_VELNEO_API_KEY

    @property
    def wedos_user(self) -> str:
        """The WEDOS demo account's login."""
        return self.DEMO_WEDOS_USER

    @property
    def wedos_password(self) -> str:
        """The WEDOS demo account's WAPI password."""
        return self.DEMO_WEDOS_PASSWORD

    @property
    def running(self) -> bool:
        """Whether the server is running."""
        return self._server.running

    # ---- clients -------------------------------------------------------------------------------------------

    def velneo_client(self, **options: Any) -> _velneo.Client:
        """A :class:`hostapi.velneo.Client` of the demo account, pointed at this emulator. ``options`` are the
        client's keyword settings (``retries=0``, ``timeout=…``)."""
        return _velneo.Client(self.velneo_email, self.velneo_api_key, base_url=self.velneo_url, **options)

    def velneo_async_client(self, **options: Any) -> _velneo.AsyncClient:
        """A :class:`hostapi.velneo.AsyncClient` of the demo account, pointed at this emulator."""
        return _velneo.AsyncClient(self.velneo_email, self.velneo_api_key, base_url=self.velneo_url, **options)

    @property
    def state_dir(self) -> str:
        """The directory of the WEDOS account state (budgets, guard, clock offset, notification spool) that the
        clients made by :meth:`wedos_client` share — pass it as ``state_dir``, or as ``HOSTAPI_STATE_DIR`` to a
        ``hostapi`` process, to share it too. :meth:`reset` empties it along with the emulator's own state."""
        return self._state_dir

    def env(self) -> dict[str, str]:
        """Environment variables that point a ``hostapi`` process (or ``from_env``) at this emulator's demo
        accounts: ``VELNEO_*``, ``WEDOS_*`` and ``HOSTAPI_STATE_DIR``. Merge them into ``os.environ``."""
        return {
            "VELNEO_EMAIL": self.velneo_email,
            "VELNEO_API_KEY": self.velneo_api_key,
            "VELNEO_BASE_URL": self.velneo_url,
            "WEDOS_USER": self.wedos_user,
            "WEDOS_PASSWORD": self.wedos_password,
            "WEDOS_BASE_URL": self.wedos_url,
            "HOSTAPI_STATE_DIR": self._state_dir,
        }

    def wedos_client(self, **options: Any) -> _wedos.Client:
        """A :class:`hostapi.wedos.Client` of the demo account, pointed at this emulator, sharing
        :attr:`state_dir` unless ``options`` name another."""
        options.setdefault("state_dir", self._state_dir)
        return _wedos.Client(self.wedos_user, self.wedos_password, base_url=self.wedos_url, **options)

    def wedos_async_client(self, **options: Any) -> _wedos.AsyncClient:
        """A :class:`hostapi.wedos.AsyncClient` of the demo account, pointed at this emulator, sharing
        :attr:`state_dir` unless ``options`` name another."""
        options.setdefault("state_dir", self._state_dir)
        return _wedos.AsyncClient(self.wedos_user, self.wedos_password, base_url=self.wedos_url, **options)

    # ---- control endpoints ---------------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        if not self._server.running:
            raise EmulatorError("the emulator is stopped")
        try:
            text = self._server.control(method, path, None if body is None else json.dumps(body))
        except RuntimeError as e:
            raise EmulatorError(str(e)) from None
        return json.loads(text)

    def health(self) -> bool:
        """Whether the emulator answers its health check."""
        return bool(self._control("GET", "health").get("status") == "ok")

    def reset(self) -> None:
        """Restores every account's configured state; clears sessions, login counters, the clock offset and
        faults, and the client-side account state in :attr:`state_dir`."""
        self._control("POST", "reset")
        for name in os.listdir(self._state_dir):
            if name.startswith("wedos-"):
                os.remove(os.path.join(self._state_dir, name))

    def state(self) -> dict[str, Any]:
        """The emulator's state: ``{"velneo": {email: {…, "logins": N}}, "wedos": {…}, "clock": {…}, "faults":
        [...]}``."""
        result: dict[str, Any] = self._control("GET", "state")
        return result

    def clock(self) -> dict[str, int]:
        """``{"now": unix seconds, "offset_secs": N}``: the emulator's notion of now."""
        result: dict[str, int] = self._control("GET", "clock")
        return result

    def set_clock_offset(self, secs: int) -> dict[str, int]:
        """Moves the emulator's clock ``secs`` seconds away from the system clock (0 restores it)."""
        result: dict[str, int] = self._control("POST", "clock", {"offset_secs": int(secs)})
        return result

    def add_fault(
        self,
        path: str,
        *,
        status: Optional[int] = None,
        body: Optional[str] = None,
        times: int = 1,
        delay_ms: int = 0,
        headers: Optional[Mapping[str, str]] = None,
        apply: bool = False,
        action: Optional[str] = None,
        size: Optional[int] = None,
        drip_bytes: Optional[int] = None,
        drip_interval_ms: Optional[int] = None,
        chunked: bool = False,
    ) -> List[dict[str, Any]]:
        """Makes the next ``times`` requests of ``path`` (e.g. ``/v1/vserver``, ``/wapi/json``) misbehave:

        - ``status`` and ``body``: answer with them instead (``headers`` adds answer headers, e.g.
          ``{"Retry-After": "30"}``); ``delay_ms``: wait first;
        - ``apply=True``: process the request (and apply its change) first — a proxy that applies a write and
          answers 502;
        - ``action``: ``"reset"`` (close the connection without an answer), ``"truncate"`` (half the announced
          body), ``"drip"`` (``drip_bytes`` every ``drip_interval_ms``), ``"oversize"`` (a body of ``size``
          bytes).

        Returns the armed faults."""
        fault: dict[str, Any] = {"path": path, "times": times, "delay_ms": delay_ms}
        optional = {
            "status": status,
            "body": body,
            "headers": dict(headers) if headers else None,
            "apply": apply or None,
            "action": action,
            "size": size,
            "drip_bytes": drip_bytes,
            "drip_interval_ms": drip_interval_ms,
            "chunked": chunked or None,
        }
        fault.update({k: v for k, v in optional.items() if v is not None})
        result: List[dict[str, Any]] = self._control("POST", "faults", fault)["faults"]
        return result

    def requests(self, path: Optional[str] = None) -> Any:
        """Requests received per API path since the start or the last reset (``{"/v1/vserver": 3, …}``), or the
        count of one ``path``."""
        counts: dict[str, int] = self.state().get("requests", {})
        return counts if path is None else counts.get(path, 0)

    def faults(self) -> List[dict[str, Any]]:
        """The armed faults."""
        result: List[dict[str, Any]] = self._control("GET", "faults")["faults"]
        return result

    def clear_faults(self) -> int:
        """Disarms every fault; returns how many were armed."""
        return int(self._control("DELETE", "faults")["cleared"])

    def expire_sessions(self, email: Optional[str] = None) -> int:
        """Ends the Velneo sessions of ``email`` (all accounts' without it); returns how many ended."""
        body = {} if email is None else {"email": email}
        return int(self._control("POST", "velneo/expire-sessions", body)["expired"])

    def queue_wedos_notification(self, notify: Mapping[str, Any], *, user: Optional[str] = None) -> str:
        """Puts ``notify`` (a WAPI notification object: ``code``, ``result``, ``command``, …) on the POLL queue of
        ``user`` (default: the demo account); returns its queue id."""
        body = {"user": user or self.wedos_user, "notify": dict(notify)}
        return str(self._control("POST", "wedos/notifications", body)["id"])

    def set_wedos_allowed_ips(self, ips: List[str], *, user: Optional[str] = None) -> None:
        """Replaces the IP allow-list of ``user`` (default: the demo account)."""
        self._control("POST", "wedos/ips", {"user": user or self.wedos_user, "allowed_ips": list(ips)})

    def add_wedos_answer_fault(
        self,
        code: Optional[int] = None,
        *,
        command: Optional[str] = None,
        user: Optional[str] = None,
        result: Optional[str] = None,
        times: int = 1,
        timestamp: Any = None,
    ) -> None:
        """The next ``times`` authenticated WEDOS requests of ``command`` (any when ``None``) by ``user`` (any when
        ``None``) answer the WAPI error ``code`` (2000–5999, e.g. 4000 for a registry failure) instead of running.
        With ``timestamp`` (any JSON value: ``253402300000``, ``"NaN"``) and no ``code`` they run, and their answer
        carries that ``timestamp`` instead of the server's clock."""
        fault: dict[str, Any] = {"times": int(times)}
        if code is not None:
            fault["code"] = int(code)
        for key, value in (("command", command), ("user", user), ("result", result), ("timestamp", timestamp)):
            if value is not None:
                fault[key] = value
        self._control("POST", "wedos/fail", fault)

    def set_wedos_user_agent_limit(self, times: int) -> None:
        """The next ``times`` WEDOS requests answer the plain-text ``User-Agent Rate Limit`` (0 disarms)."""
        self._control("POST", "wedos/user-agent-limit", {"times": int(times)})

    # ---- lifetime ------------------------------------------------------------------------------------------

    def set_wedos_notification_url(
        self, url: Optional[str], *, retry_secs: Optional[float] = None, user: Optional[str] = None
    ) -> None:
        """Delivers the account's notifications by HTTP ``POST`` to ``url`` (form field ``request``, as WEDOS
        does) instead of the POLL queue, again every ``retry_secs`` until the URL answers 200; ``None`` switches
        back to the POLL queue. Each attempt shows in :meth:`state` under ``deliveries``."""
        body: dict[str, Any] = {"user": user or self.wedos_user, "url": url}
        if retry_secs is not None:
            body["retry_secs"] = float(retry_secs)
        self._control("POST", "wedos/notification-url", body)

    def stop(self) -> None:
        """Stops the server (in-flight requests get up to 2 s) and removes :attr:`state_dir`. Idempotent."""
        self._server.stop()
        shutil.rmtree(self._state_dir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"hostapi.testing.Emulator(url={self.url!r}, {state})"
