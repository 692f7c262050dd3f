"""The Velneo Cloud API: a customer's Velneo vServer — status, start, stop, credentials, backup — and its
groups, users, shared folders, application instances and data instances.

:class:`Client` is synchronous (it releases the GIL while it waits, and may be shared by many threads);
:class:`AsyncClient` has the same methods, awaited. Both log in lazily (once, for every concurrent call), sign
every attempt afresh, log in again once after a 401, and log out when used as a context manager.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple, Union

from .. import _native, _settings
from .. import errors as hostapi_errors
from ..errors import ConfigError
from . import protocol, records
from .records import (
    Ack,
    AppInstance,
    Backup,
    DataInstance,
    Folder,
    Group,
    InstanceCreated,
    Session,
    User,
    VServerStatus,
    from_canonical,
)

__all__ = [
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "Ack",
    "AppInstance",
    "Backup",
    "DataInstance",
    "Folder",
    "Group",
    "InstanceCreated",
    "Session",
    "User",
    "VServerStatus",
    "protocol",
    "records",
]

#: The production API root (version included).
DEFAULT_BASE_URL: str = _native.VELNEO_DEFAULT_BASE_URL

_BUILD_OP = "velneo client"

Inheritance = Union[str, Mapping[str, Union[str, int]]]
"""Inherited projects' instances: ``"proj1=inst1,proj2=inst2"`` or ``{"proj1": "inst1", "proj2": "inst2"}``."""


def _inheritance(value: Optional[Inheritance]) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return ",".join(f"{project}={code}" for project, code in value.items())
    return value  # the core names the argument in its error


def _download_args(backup: Union[Backup, str], path: Any) -> Tuple[str, str]:
    op = "velneo vserver.backup download"
    url = backup.url if isinstance(backup, Backup) else _settings.text(op, "backup", backup)
    target = _settings.path(op, "path", path)
    if url is None or target is None:
        raise _settings.fail(op, "a backup and a path are required")
    return url, target


def _wait_args(state: Any, interval: Any, timeout: Any) -> Tuple[str, float, float]:
    op = "velneo vserver.status"
    s = _settings.text(op, "state", state)
    i = _settings.seconds(op, "interval", interval)
    t = _settings.seconds(op, "timeout", timeout)
    if s is None or i is None or t is None:
        raise _settings.fail(op, "state, interval and timeout are required")
    return s, i, t


def _native_client(
    email: Optional[str],
    api_key: Optional[str],
    *,
    from_env: bool,
    base_url: Optional[str],
    timeout: Optional[float],
    connect_timeout: Optional[float],
    retries: Optional[int],
    verify: bool,
    ca_bundle: Optional[_settings.PathLike],
    user_agent: Optional[str],
    backoff: Optional[Tuple[float, float]],
    http_verbs: bool,
) -> _native.VelneoClient:
    op = _BUILD_OP
    return _native.VelneoClient(
        _settings.text(op, "email", email),
        _settings.text(op, "api_key", api_key),
        from_env=from_env,
        base_url=_settings.text(op, "base_url", base_url),
        timeout=_settings.seconds(op, "timeout", timeout),
        connect_timeout=_settings.seconds(op, "connect_timeout", connect_timeout),
        retries=_settings.count(op, "retries", retries),
        verify=_settings.flag(op, "verify", verify),
        ca_bundle=_settings.path(op, "ca_bundle", ca_bundle),
        user_agent=_settings.text(op, "user_agent", user_agent),
        backoff=_settings.pair(op, "backoff", backoff, _settings.seconds),
        http_verbs=_settings.flag(op, "http_verbs", http_verbs),
    )


class _Base:
    """What both clients share: construction, settings, repr."""

    _native: _native.VelneoClient

    def __init__(
        self,
        email: str,
        api_key: str,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        verify: bool = True,
        ca_bundle: Optional[_settings.PathLike] = None,
        user_agent: Optional[str] = None,
        backoff: Optional[Tuple[float, float]] = None,
        http_verbs: bool = False,
    ) -> None:
        """A client of the account ``email`` with its private ``api_key`` (only ever hashed, never sent or shown).

        :param base_url: the API root with its version (default ``https://cloudapi.velneo.com/v1``).
        :param timeout: seconds allowed for one attempt of a call (default 30).
        :param connect_timeout: seconds allowed to connect (default 10).
        :param retries: further attempts after transport failures, timeouts and HTTP 5xx/429 (default 2; 0 = off).
        :param verify: ``False`` turns TLS certificate verification off (only for a test server you control).
        :param ca_bundle: a PEM file of extra trusted root certificates.
        :param user_agent: the ``User-Agent`` header.
        :param backoff: ``(initial, max)`` seconds of the retry backoff (full jitter).
        :param http_verbs: send the operation's verb as the HTTP method instead of ``POST`` + ``method`` field.
        :raises ConfigError: a missing or invalid setting.
        """
        self._native = _native_client(
            email,
            api_key,
            from_env=False,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retries=retries,
            verify=verify,
            ca_bundle=ca_bundle,
            user_agent=user_agent,
            backoff=backoff,
            http_verbs=http_verbs,
        )
        self._init_handles()

    def _init_handles(self) -> None:
        raise NotImplementedError  # pragma: no cover - set by each client class

    @property
    def email(self) -> str:
        """The account e-mail."""
        return self._native.email

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._native.base_url

    @property
    def login_count(self) -> int:
        """How many logins this client has performed in this process (one per session)."""
        return self._native.login_count

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}(email={self.email!r}, base_url={self.base_url!r})"


def _from_env_kwargs(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(options) - {
        "base_url",
        "timeout",
        "connect_timeout",
        "retries",
        "verify",
        "ca_bundle",
        "user_agent",
        "backoff",
        "http_verbs",
    }
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f"{_BUILD_OP}: unknown setting {name!r}", operation=_BUILD_OP, message=f"unknown setting {name!r}"
        )
    defaults: dict[str, Any] = {
        "base_url": None,
        "timeout": None,
        "connect_timeout": None,
        "retries": None,
        "verify": True,
        "ca_bundle": None,
        "user_agent": None,
        "backoff": None,
        "http_verbs": False,
    }
    defaults.update(options)
    return defaults


# ---- the synchronous client ------------------------------------------------------------------------------------


class Client(_Base):
    """A synchronous Velneo Cloud API client.

    Calls wait with the GIL released, so one client can be shared by many threads. Used as a context manager
    (``with Client(...) as client:``) it logs out on exit. Resource handles: :attr:`vserver`, :attr:`groups`,
    :attr:`users`, :attr:`folders`, :attr:`app_instances`, :attr:`data_instances`.
    """

    vserver: VServer
    groups: Groups
    users: Users
    folders: Folders
    app_instances: AppInstances
    data_instances: DataInstances

    def _init_handles(self) -> None:
        self.vserver = VServer(self)
        self.groups = Groups(self)
        self.users = Users(self)
        self.folders = Folders(self)
        self.app_instances = AppInstances(self)
        self.data_instances = DataInstances(self)

    @classmethod
    def from_env(cls, **options: Any) -> Client:
        """A client configured from ``VELNEO_EMAIL``, ``VELNEO_API_KEY`` and optionally ``VELNEO_BASE_URL``;
        ``options`` are the keyword settings of the constructor (an explicit ``base_url`` wins)."""
        self = cls.__new__(cls)
        self._native = _native_client(None, None, from_env=True, **_from_env_kwargs(options))
        self._init_handles()
        return self

    def _call(self, operation: str, args: Optional[dict[str, Any]] = None) -> Any:
        return from_canonical(operation, self._native.execute(operation, args))

    def login(self) -> None:
        """Logs in now instead of on the first call (a no-op while a session is live)."""
        self._native.execute("session.login", None)

    def logout(self) -> None:
        """Ends the session (for every application using it); a no-op without one. The next call logs in again."""
        self._native.logout()

    def close(self) -> None:
        """Logs out and releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        if not self._native.closed:
            try:
                self._native.logout()
            finally:
                self._native.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
            return
        # An error is on its way out: a failing logout must not replace it.
        try:
            self.close()
        except hostapi_errors.Error:
            pass


class _Handle:
    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class VServer(_Handle):
    """The vServer: status, start, stop, credentials, backup."""

    __slots__ = ()

    def status(self) -> VServerStatus:
        """The vServer's state, VRL and version."""
        result: VServerStatus = self._client._call("vserver.status")
        return result

    def start(self) -> Ack:
        """Starts the vServer."""
        result: Ack = self._client._call("vserver.start")
        return result

    def stop(self) -> Ack:
        """Stops the vServer."""
        result: Ack = self._client._call("vserver.stop")
        return result

    def set_credentials(self, username: str, password: str) -> Ack:
        """Stores the supervisor credentials the API uses to administer the vServer. They are not checked here:
        if wrong, the next administrative call raises :class:`~hostapi.VServerCredentialsError`."""
        result: Ack = self._client._call("vserver.credentials", {"username": username, "password": password})
        return result

    def backup(self) -> Backup:
        """Starts a backup and returns its download link."""
        result: Backup = self._client._call("vserver.backup")
        return result

    def download_backup(self, backup: Union[Backup, str], path: _settings.PathLike) -> int:
        """Downloads ``backup`` (or its URL) into the file ``path``; returns the number of bytes written."""
        count: int = self._client._native.download_backup(*_download_args(backup, path))
        return count

    def wait_for_state(self, state: str, *, interval: float = 2.0, timeout: float = 120.0) -> VServerStatus:
        """Polls the status every ``interval`` seconds until it is ``state`` (``"running"``/``"stopped"``);
        raises :class:`~hostapi.Timeout` after ``timeout`` seconds."""
        value = self._client._native.wait_for_state(*_wait_args(state, interval, timeout))
        result: VServerStatus = from_canonical("vserver.status", value)
        return result


class Groups(_Handle):
    """Groups of vServer users."""

    __slots__ = ()

    def put(
        self,
        name: str,
        *,
        manage_solutions: Optional[bool] = None,
        add_solution: Optional[str] = None,
        add_app_instance: Optional[str] = None,
    ) -> Ack:
        """Creates the group if missing, else modifies it."""
        args = {
            "name": name,
            "manage_solutions": manage_solutions,
            "add_solution": add_solution,
            "add_app_instance": add_app_instance,
        }
        result: Ack = self._client._call("groups.put", args)
        return result

    def get(self, name: str) -> Group:
        """One group."""
        result: Group = self._client._call("groups.get", {"name": name})
        return result

    def list(self) -> List[Group]:
        """Every group."""
        result: List[Group] = self._client._call("groups.list")
        return result

    def delete(self, name: str) -> Ack:
        """Deletes a group."""
        result: Ack = self._client._call("groups.delete", {"name": name})
        return result


class Users(_Handle):
    """vServer users."""

    __slots__ = ()

    def put(
        self,
        username: str,
        *,
        email: Optional[str] = None,
        password: Optional[str] = None,
        full_name: Optional[str] = None,
        group: Optional[str] = None,
        del_group: Optional[str] = None,
        is_supervisor: Optional[bool] = None,
        account_disabled: Optional[bool] = None,
        must_change_password: Optional[bool] = None,
        password_never_expires: Optional[bool] = None,
    ) -> Ack:
        """Creates the user if missing, else modifies it (the username cannot change)."""
        args = {
            "username": username,
            "email": email,
            "password": password,
            "full_name": full_name,
            "group": group,
            "del_group": del_group,
            "is_supervisor": is_supervisor,
            "account_disabled": account_disabled,
            "must_change_password": must_change_password,
            "password_never_expires": password_never_expires,
        }
        result: Ack = self._client._call("users.put", args)
        return result

    def get(self, username: str) -> User:
        """One user, with its groups."""
        result: User = self._client._call("users.get", {"username": username})
        return result

    def list(self, group: Optional[str] = None) -> List[User]:
        """Every user, or the members of ``group``."""
        result: List[User] = self._client._call("users.list", {"group": group})
        return result

    def delete(self, username: str) -> Ack:
        """Deletes a user."""
        result: Ack = self._client._call("users.delete", {"username": username})
        return result


class Folders(_Handle):
    """Shared folders."""

    __slots__ = ()

    def put(self, name: str, group: str, *, path: Optional[str] = None) -> Ack:
        """Creates the shared folder if missing, else modifies it. ``path`` (relative to the account's HOME, with
        ``/``) is needed only on creation; ``group`` is given access and must exist."""
        result: Ack = self._client._call("folders.put", {"name": name, "path": path, "group": group})
        return result

    def get(self, name: str) -> Folder:
        """One shared folder."""
        result: Folder = self._client._call("folders.get", {"name": name})
        return result

    def list(self) -> List[Folder]:
        """Every shared folder."""
        result: List[Folder] = self._client._call("folders.list")
        return result

    def delete(self, name: str) -> Ack:
        """Deletes a shared folder."""
        result: Ack = self._client._call("folders.delete", {"name": name})
        return result


class AppInstances(_Handle):
    """Application instances (by name, or by ``id=`` as returned by :meth:`put`)."""

    __slots__ = ()

    def put(
        self,
        name: str,
        *,
        project: str,
        solution: str,
        folder_shared: str,
        inheritance: Optional[Inheritance] = None,
    ) -> InstanceCreated:
        """Adds an application instance; the answer carries its id."""
        args = {
            "name": name,
            "project": project,
            "solution": solution,
            "folder_shared": folder_shared,
            "inheritance": _inheritance(inheritance),
        }
        result: InstanceCreated = self._client._call("app_instances.put", args)
        return result

    def get(self, name: Optional[str] = None, *, id: Optional[str] = None) -> AppInstance:
        """One application instance, by name or by ``id``."""
        result: AppInstance = self._client._call("app_instances.get", {"name": name, "id": id})
        return result

    def list(self) -> List[AppInstance]:
        """Every application instance."""
        result: List[AppInstance] = self._client._call("app_instances.list")
        return result

    def delete(self, name: Optional[str] = None, *, id: Optional[str] = None) -> Ack:
        """Deletes an application instance, by name or by ``id``."""
        result: Ack = self._client._call("app_instances.delete", {"name": name, "id": id})
        return result


class DataInstances(_Handle):
    """Data instances (by name, or by ``id=`` as returned by :meth:`put`)."""

    __slots__ = ()

    def put(
        self,
        name: str,
        *,
        project: str,
        solution: str,
        folder_shared: str,
        inheritance: Optional[Inheritance] = None,
        by_id: bool = False,
    ) -> InstanceCreated:
        """Creates the data instance if missing, else modifies it (``by_id=True``: ``name`` is its id); the
        answer carries its id."""
        args = {
            "name": name,
            "by_id": by_id,
            "project": project,
            "solution": solution,
            "folder_shared": folder_shared,
            "inheritance": _inheritance(inheritance),
        }
        result: InstanceCreated = self._client._call("data_instances.put", args)
        return result

    def get(self, name: Optional[str] = None, *, id: Optional[str] = None) -> DataInstance:
        """One data instance, by name or by ``id``."""
        result: DataInstance = self._client._call("data_instances.get", {"name": name, "id": id})
        return result

    def list(self) -> List[DataInstance]:
        """Every data instance."""
        result: List[DataInstance] = self._client._call("data_instances.list")
        return result

    def delete(self, name: Optional[str] = None, *, id: Optional[str] = None) -> Ack:
        """Deletes a data instance, by name or by ``id``."""
        result: Ack = self._client._call("data_instances.delete", {"name": name, "id": id})
        return result


# ---- the asynchronous client -----------------------------------------------------------------------------------


class AsyncClient(_Base):
    """An asyncio Velneo Cloud API client: the methods of :class:`Client`, awaited.

    Calls run on hostapi's own runtime and never block the event loop. ``async with AsyncClient(...) as client:``
    logs out on exit.
    """

    vserver: AsyncVServer
    groups: AsyncGroups
    users: AsyncUsers
    folders: AsyncFolders
    app_instances: AsyncAppInstances
    data_instances: AsyncDataInstances

    def _init_handles(self) -> None:
        self.vserver = AsyncVServer(self)
        self.groups = AsyncGroups(self)
        self.users = AsyncUsers(self)
        self.folders = AsyncFolders(self)
        self.app_instances = AsyncAppInstances(self)
        self.data_instances = AsyncDataInstances(self)

    @classmethod
    def from_env(cls, **options: Any) -> AsyncClient:
        """A client configured from ``VELNEO_EMAIL``, ``VELNEO_API_KEY`` and optionally ``VELNEO_BASE_URL``;
        ``options`` are the keyword settings of the constructor."""
        self = cls.__new__(cls)
        self._native = _native_client(None, None, from_env=True, **_from_env_kwargs(options))
        self._init_handles()
        return self

    async def _call(self, operation: str, args: Optional[dict[str, Any]] = None) -> Any:
        return from_canonical(operation, await self._native.execute_async(operation, args))

    async def login(self) -> None:
        """Logs in now instead of on the first call (a no-op while a session is live)."""
        await self._native.execute_async("session.login", None)

    async def logout(self) -> None:
        """Ends the session; a no-op without one. The next call logs in again."""
        await self._native.logout_async()

    async def close(self) -> None:
        """Logs out and releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        if not self._native.closed:
            try:
                await self._native.logout_async()
            finally:
                self._native.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            await self.close()
            return
        try:
            await self.close()
        except hostapi_errors.Error:
            pass


class _AsyncHandle:
    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncVServer(_AsyncHandle):
    """The vServer: status, start, stop, credentials, backup (awaited)."""

    __slots__ = ()

    async def status(self) -> VServerStatus:
        """The vServer's state, VRL and version."""
        result: VServerStatus = await self._client._call("vserver.status")
        return result

    async def start(self) -> Ack:
        """Starts the vServer."""
        result: Ack = await self._client._call("vserver.start")
        return result

    async def stop(self) -> Ack:
        """Stops the vServer."""
        result: Ack = await self._client._call("vserver.stop")
        return result

    async def set_credentials(self, username: str, password: str) -> Ack:
        """Stores the supervisor credentials the API uses to administer the vServer."""
        result: Ack = await self._client._call("vserver.credentials", {"username": username, "password": password})
        return result

    async def backup(self) -> Backup:
        """Starts a backup and returns its download link."""
        result: Backup = await self._client._call("vserver.backup")
        return result

    async def download_backup(self, backup: Union[Backup, str], path: _settings.PathLike) -> int:
        """Downloads ``backup`` (or its URL) into the file ``path``; returns the number of bytes written."""
        count: int = await self._client._native.download_backup_async(*_download_args(backup, path))
        return count

    async def wait_for_state(self, state: str, *, interval: float = 2.0, timeout: float = 120.0) -> VServerStatus:
        """Polls the status every ``interval`` seconds until it is ``state``; raises
        :class:`~hostapi.Timeout` after ``timeout`` seconds."""
        value = await self._client._native.wait_for_state_async(*_wait_args(state, interval, timeout))
        result: VServerStatus = from_canonical("vserver.status", value)
        return result


class AsyncGroups(_AsyncHandle):
    """Groups of vServer users (awaited)."""

    __slots__ = ()

    async def put(
        self,
        name: str,
        *,
        manage_solutions: Optional[bool] = None,
        add_solution: Optional[str] = None,
        add_app_instance: Optional[str] = None,
    ) -> Ack:
        """Creates the group if missing, else modifies it."""
        args = {
            "name": name,
            "manage_solutions": manage_solutions,
            "add_solution": add_solution,
            "add_app_instance": add_app_instance,
        }
        result: Ack = await self._client._call("groups.put", args)
        return result

    async def get(self, name: str) -> Group:
        """One group."""
        result: Group = await self._client._call("groups.get", {"name": name})
        return result

    async def list(self) -> List[Group]:
        """Every group."""
        result: List[Group] = await self._client._call("groups.list")
        return result

    async def delete(self, name: str) -> Ack:
        """Deletes a group."""
        result: Ack = await self._client._call("groups.delete", {"name": name})
        return result


class AsyncUsers(_AsyncHandle):
    """vServer users (awaited)."""

    __slots__ = ()

    async def put(
        self,
        username: str,
        *,
        email: Optional[str] = None,
        password: Optional[str] = None,
        full_name: Optional[str] = None,
        group: Optional[str] = None,
        del_group: Optional[str] = None,
        is_supervisor: Optional[bool] = None,
        account_disabled: Optional[bool] = None,
        must_change_password: Optional[bool] = None,
        password_never_expires: Optional[bool] = None,
    ) -> Ack:
        """Creates the user if missing, else modifies it."""
        args = {
            "username": username,
            "email": email,
            "password": password,
            "full_name": full_name,
            "group": group,
            "del_group": del_group,
            "is_supervisor": is_supervisor,
            "account_disabled": account_disabled,
            "must_change_password": must_change_password,
            "password_never_expires": password_never_expires,
        }
        result: Ack = await self._client._call("users.put", args)
        return result

    async def get(self, username: str) -> User:
        """One user, with its groups."""
        result: User = await self._client._call("users.get", {"username": username})
        return result

    async def list(self, group: Optional[str] = None) -> List[User]:
        """Every user, or the members of ``group``."""
        result: List[User] = await self._client._call("users.list", {"group": group})
        return result

    async def delete(self, username: str) -> Ack:
        """Deletes a user."""
        result: Ack = await self._client._call("users.delete", {"username": username})
        return result


class AsyncFolders(_AsyncHandle):
    """Shared folders (awaited)."""

    __slots__ = ()

    async def put(self, name: str, group: str, *, path: Optional[str] = None) -> Ack:
        """Creates the shared folder if missing, else modifies it."""
        result: Ack = await self._client._call("folders.put", {"name": name, "path": path, "group": group})
        return result

    async def get(self, name: str) -> Folder:
        """One shared folder."""
        result: Folder = await self._client._call("folders.get", {"name": name})
        return result

    async def list(self) -> List[Folder]:
        """Every shared folder."""
        result: List[Folder] = await self._client._call("folders.list")
        return result

    async def delete(self, name: str) -> Ack:
        """Deletes a shared folder."""
        result: Ack = await self._client._call("folders.delete", {"name": name})
        return result


class AsyncAppInstances(_AsyncHandle):
    """Application instances (awaited)."""

    __slots__ = ()

    async def put(
        self,
        name: str,
        *,
        project: str,
        solution: str,
        folder_shared: str,
        inheritance: Optional[Inheritance] = None,
    ) -> InstanceCreated:
        """Adds an application instance; the answer carries its id."""
        args = {
            "name": name,
            "project": project,
            "solution": solution,
            "folder_shared": folder_shared,
            "inheritance": _inheritance(inheritance),
        }
        result: InstanceCreated = await self._client._call("app_instances.put", args)
        return result

    async def get(self, name: Optional[str] = None, *, id: Optional[str] = None) -> AppInstance:
        """One application instance, by name or by ``id``."""
        result: AppInstance = await self._client._call("app_instances.get", {"name": name, "id": id})
        return result

    async def list(self) -> List[AppInstance]:
        """Every application instance."""
        result: List[AppInstance] = await self._client._call("app_instances.list")
        return result

    async def delete(self, name: Optional[str] = None, *, id: Optional[str] = None) -> Ack:
        """Deletes an application instance, by name or by ``id``."""
        result: Ack = await self._client._call("app_instances.delete", {"name": name, "id": id})
        return result


class AsyncDataInstances(_AsyncHandle):
    """Data instances (awaited)."""

    __slots__ = ()

    async def put(
        self,
        name: str,
        *,
        project: str,
        solution: str,
        folder_shared: str,
        inheritance: Optional[Inheritance] = None,
        by_id: bool = False,
    ) -> InstanceCreated:
        """Creates the data instance if missing, else modifies it; the answer carries its id."""
        args = {
            "name": name,
            "by_id": by_id,
            "project": project,
            "solution": solution,
            "folder_shared": folder_shared,
            "inheritance": _inheritance(inheritance),
        }
        result: InstanceCreated = await self._client._call("data_instances.put", args)
        return result

    async def get(self, name: Optional[str] = None, *, id: Optional[str] = None) -> DataInstance:
        """One data instance, by name or by ``id``."""
        result: DataInstance = await self._client._call("data_instances.get", {"name": name, "id": id})
        return result

    async def list(self) -> List[DataInstance]:
        """Every data instance."""
        result: List[DataInstance] = await self._client._call("data_instances.list")
        return result

    async def delete(self, name: Optional[str] = None, *, id: Optional[str] = None) -> Ack:
        """Deletes a data instance, by name or by ``id``."""
        result: Ack = await self._client._call("data_instances.delete", {"name": name, "id": id})
        return result
