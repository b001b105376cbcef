"""Settings: endpoints, cache folder and network behaviour, built from the environment when asked."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import BadInputError

DEFAULT_RIVM_URL = "https://dataderden.cbs.nl"
DEFAULT_CBS_URL = "https://opendata.cbs.nl"
DEFAULT_PDOK_URL = "https://service.pdok.nl"

ENV_RIVM_URL = "EENZAAMHEID_RIVM_URL"
ENV_CBS_URL = "EENZAAMHEID_CBS_URL"
ENV_PDOK_URL = "EENZAAMHEID_PDOK_URL"
ENV_DATA_DIR = "EENZAAMHEID_DATA_DIR"
ENV_TIMEOUT = "EENZAAMHEID_TIMEOUT"
ENV_RETRIES = "EENZAAMHEID_RETRIES"


@dataclass(frozen=True)
class Settings:
    """Everything that differs between machines and runs; pass it on, never mutate it.

    ``offline`` never touches the network; ``refresh`` fetches again even when cached.
    """

    rivm_url: str = DEFAULT_RIVM_URL
    cbs_url: str = DEFAULT_CBS_URL
    pdok_url: str = DEFAULT_PDOK_URL
    data_dir: Path = Path("data")
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    offline: bool = False
    refresh: bool = False
    demo: bool = False

    def __post_init__(self) -> None:
        for name in ("rivm_url", "cbs_url", "pdok_url"):
            object.__setattr__(self, name, _check_base_url(name, getattr(self, name)))
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise BadInputError(f"the data folder {self.data_dir} is a file", hint=f"set {ENV_DATA_DIR} to a folder (made when missing)")
        if self.offline and self.refresh:
            raise BadInputError(
                "--offline and --refresh contradict each other",
                hint="use --offline to work from the cache, or --refresh to fetch again",
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from ``EENZAAMHEID_*`` environment variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "rivm_url": env.get(ENV_RIVM_URL) or DEFAULT_RIVM_URL,
            "cbs_url": env.get(ENV_CBS_URL) or DEFAULT_CBS_URL,
            "pdok_url": env.get(ENV_PDOK_URL) or DEFAULT_PDOK_URL,
            "data_dir": Path(env[ENV_DATA_DIR]).expanduser() if env.get(ENV_DATA_DIR) else default_data_dir(),  # "~/x" as a shell would
        }
        for name, key, kind, least, most in (("timeout", ENV_TIMEOUT, float, 0.1, 3600), ("retries", ENV_RETRIES, int, 0, 100)):
            if env.get(key):
                values[name] = _number(key, env[key], kind, least, most)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> "Settings":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"


def default_data_dir(start: Path | None = None) -> Path:
    """The project's ``data/`` folder when run inside a checkout, else a per-user cache folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "data").is_dir():
            return folder / "data"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "eenzaamheid-data"


def default_reports_dir(start: Path | None = None) -> Path:
    """The project's ``reports/`` folder when run inside a checkout (wherever in it: a notebook runs in
    ``notebooks/``, papermill in the current folder), else ``reports`` in the current folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "reports").is_dir():
            return folder / "reports"
    return Path("reports")


def _number(key: str, text: str, kind: type, least: float, most: float) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        value = float("nan")
    if not least <= value <= most:  # also catches nan and inf
        what = f"{'whole ' if kind is int else ''}number from {least:g} to {most:g}"
        raise BadInputError(f"{key}={text!r} is not a {what}", hint=f"e.g. {key}=3")
    return value


def _check_base_url(name: str, value: str) -> str:
    parts = urlsplit(value.strip())
    env = {"rivm_url": ENV_RIVM_URL, "cbs_url": ENV_CBS_URL, "pdok_url": ENV_PDOK_URL}[name]
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInputError(
            f"{env}={value!r} is not a base URL",
            hint="give scheme and host (and port), e.g. https://opendata.cbs.nl or http://127.0.0.1:8000",
        )
    if parts.path not in ("", "/"):
        raise BadInputError(
            f"{env}={value!r} has a path; give only scheme, host and port",
            hint="the package adds the services' own paths",
        )
    return f"{parts.scheme}://{parts.netloc}"
