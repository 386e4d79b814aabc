"""Zones on an S3-compatible object store: `RISKRADAR_DATA_DIR=s3://bucket/prefix`.

The zone root becomes a `universal_pathlib` path over `s3fs`, so the stage modules keep their
pathlib-style code (`/`, `.glob`, `.exists()`, `.read_bytes()`); riskradar.storage turns each
part write into one PUT and reads Parquet through the bucket's fsspec filesystem.

Credentials come only from the standard AWS environment variables (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_REGION) or, when RISKRADAR_S3_CONN_ID names one, an
Airflow connection (login = key id, password = secret, extra `endpoint_url` / `region_name`).
They are read when the filesystem is first used, never at import or DAG parse time. `check`
turns a wrong secret or a missing bucket into one clear error before a task does any work.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from upath.implementations.cloud import S3Path
from upath.registry import register_implementation

CONN_ID_ENV = "RISKRADAR_S3_CONN_ID"


class StorageConfigError(RuntimeError):
    """The object store named by RISKRADAR_DATA_DIR cannot be used as configured."""


def is_url(value: str) -> bool:
    return "://" in value and not value.startswith("file://")


def is_remote(path: Any) -> bool:
    """True for a zone path on an object store (anything that is not a local pathlib.Path)."""
    return not isinstance(path, Path)


@functools.cache
def _connection(conn_id: str) -> dict[str, str | None]:
    """The Airflow connection's S3 fields, looked up once per process."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson or {}
    return {"key": conn.login, "secret": conn.password, "endpoint_url": extra.get("endpoint_url") or conn.host,
            "region_name": extra.get("region_name")}


def credentials() -> dict[str, str]:
    """key / secret / endpoint_url / region_name, from the Airflow connection or the AWS_* env vars."""
    conn_id = os.environ.get(CONN_ID_ENV)
    if conn_id:
        found = _connection(conn_id)
        where = f"Airflow connection {conn_id!r} (login, password)"
    else:
        found = {"key": os.environ.get("AWS_ACCESS_KEY_ID"), "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"),
                 "endpoint_url": os.environ.get("AWS_ENDPOINT_URL"),
                 "region_name": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")}
        where = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if not found["key"] or not found["secret"]:
        # never fall through to boto's other providers (files, instance metadata): config is explicit
        raise StorageConfigError(f"RISKRADAR_DATA_DIR is on S3 but no credentials are set: set {where}")
    return {k: v for k, v in found.items() if v}


def s3fs_options(creds: Mapping[str, str]) -> dict[str, Any]:
    """s3fs keyword arguments. No listing cache: another worker's new part must show up at once."""
    options: dict[str, Any] = {"key": creds["key"], "secret": creds["secret"], "use_listings_cache": False}
    if creds.get("endpoint_url"):
        options["endpoint_url"] = creds["endpoint_url"]
    if creds.get("region_name"):
        options["client_kwargs"] = {"region_name": creds["region_name"]}
    return options


class ZonePath(S3Path):
    """An S3 path whose filesystem gets the project's credentials when first used (lazily)."""

    @classmethod
    def _fs_factory(cls, urlpath: str, protocol: str, storage_options: Mapping[str, Any]):
        return super()._fs_factory(urlpath, protocol, {**s3fs_options(credentials()), **storage_options})


# s3:// paths in this process get the project's credentials (universal_pathlib dispatches by protocol)
for _protocol in ("s3", "s3a"):
    register_implementation(_protocol, ZonePath, clobber=True)


def zone_root(url: str) -> ZonePath:
    if not url.startswith(("s3://", "s3a://")):
        raise StorageConfigError(f"RISKRADAR_DATA_DIR={url!r}: only local paths and s3:// URLs are supported")
    return ZonePath(url.rstrip("/"))


def dbt_env(data_dir: Any) -> dict[str, str]:
    """What dbt-duckdb needs to read the zones: the filesystem to register (profiles.yml
    `filesystems`, a Python literal without secrets) and the credentials as AWS_* variables."""
    if not is_remote(data_dir):
        return {}
    creds = credentials()
    filesystem = {"fs": "s3", **{k: v for k, v in s3fs_options(creds).items() if k not in ("key", "secret")}}
    env = {"RISKRADAR_DUCKDB_FILESYSTEMS": repr([filesystem]),
           "AWS_ACCESS_KEY_ID": creds["key"], "AWS_SECRET_ACCESS_KEY": creds["secret"]}
    if creds.get("endpoint_url"):
        env["AWS_ENDPOINT_URL"] = creds["endpoint_url"]
    if creds.get("region_name"):
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = creds["region_name"]
    return env


_checked: set[str] = set()


def check(data_dir: Any) -> None:
    """Fail fast, with what to fix, when the zones' bucket cannot be listed with these credentials.

    A no-op for a local data dir; for a bucket, one listing per process, data dir and credentials."""
    if not is_remote(data_dir):
        return
    creds = credentials()
    key = repr((str(data_dir), sorted(creds.items())))
    if key in _checked:
        return
    bucket = data_dir.path.split("/", 1)[0]
    endpoint = creds.get("endpoint_url", "AWS")
    try:
        data_dir.fs.ls(bucket, refresh=True)
    except FileNotFoundError:
        raise StorageConfigError(f"RISKRADAR_DATA_DIR={data_dir}: bucket {bucket!r} does not exist at "
                                 f"{endpoint} (create it, or fix the bucket name)") from None
    except PermissionError as exc:
        raise StorageConfigError(f"RISKRADAR_DATA_DIR={data_dir}: {endpoint} refused the credentials "
                                 f"for bucket {bucket!r} ({exc}); check the key id and secret") from None
    except OSError as exc:
        raise StorageConfigError(f"RISKRADAR_DATA_DIR={data_dir}: cannot reach {endpoint}: {exc}") from None
    _checked.add(key)
