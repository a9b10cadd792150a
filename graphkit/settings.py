"""One settings object, read once per command: flag > environment > config file > default.

The config file is `graphkit.toml` in the working directory, or the file named by
`--config` or GRAPHKIT_CONFIG. Relative paths in it are relative to the file's folder.
The Neo4j password is read from NEO4J_PASSWORD (or the --password flag) only, never from
the file, so a config file can be committed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

__all__ = ["Settings", "load_settings", "CONFIG_NAME", "CONFIG_KEYS"]

CONFIG_NAME = "graphkit.toml"

# key in graphkit.toml -> (environment variable, is a path)
CONFIG_KEYS = {
    "graph": ("GRAPHKIT_GRAPH", True),
    "curation": ("GRAPHKIT_CURATION", True),
    "lexicon": ("GRAPHKIT_LEXICON", True),
    "format": ("GRAPHKIT_FORMAT", False),
    "neo4j_uri": ("NEO4J_URI", False),
    "neo4j_user": ("NEO4J_USER", False),
    "neo4j_database": ("NEO4J_DATABASE", False),
    "id_prefix": ("GRAPHKIT_ID_PREFIX", False),
}
_NEO4J_TABLE = {"uri": "neo4j_uri", "user": "neo4j_user", "database": "neo4j_database", "id_prefix": "id_prefix"}


@dataclass(frozen=True)
class Settings:
    graph: Path = Path("graphkit-out/graph.json")
    curation: Path = Path("graphkit-curation.toml")
    lexicon: Path | None = None  # folder (or file) of user [[entity]] tables
    format: str | None = None  # default --format of the commands that print rows
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    id_prefix: str | None = None  # None: the prefix recorded in the graph file, else none
    config_file: Path | None = None  # the file these came from, if any
    sources: dict = None  # key -> "default" | "file" | "env" | "flag"

    def source(self, key: str) -> str:
        return (self.sources or {}).get(key, "default")

    def with_flags(self, **flags) -> "Settings":
        """These settings with the flags the user gave (None = not given)."""
        given = {k: v for k, v in flags.items() if v is not None}
        if not given:
            return self
        sources = dict(self.sources or {})
        sources.update({k: "flag" for k in given})
        return replace(self, sources=sources, **given)


def _read_file(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    flat = {}
    for key, value in data.items():
        if key == "neo4j" and isinstance(value, dict):
            for sub, sub_value in value.items():
                if sub == "password":
                    raise ConfigError(f"{path}: [neo4j] password: not read from a file; set NEO4J_PASSWORD")
                if sub not in _NEO4J_TABLE:
                    raise ConfigError(f"{path}: [neo4j] {sub}: unknown key (known: {', '.join(_NEO4J_TABLE)})")
                flat[_NEO4J_TABLE[sub]] = sub_value
        elif key in CONFIG_KEYS:
            flat[key] = value
        else:
            known = ", ".join([k for k in CONFIG_KEYS if not k.startswith("neo4j_") and k != "id_prefix"] + ["[neo4j]"])
            raise ConfigError(f"{path}: {key}: unknown key (known: {known})")
    for key, value in flat.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key}: expected a string, got {type(value).__name__}")
    return flat


def load_settings(config: Path | None = None, env=None, cwd: Path | None = None) -> Settings:
    """Defaults, overridden by the config file, overridden by the environment."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else Path(cwd)
    explicit = config or (Path(env["GRAPHKIT_CONFIG"]) if env.get("GRAPHKIT_CONFIG") else None)
    if explicit is not None and not Path(explicit).is_file():
        raise ConfigError(f"{explicit}: no such config file")
    path = Path(explicit) if explicit is not None else (cwd / CONFIG_NAME if (cwd / CONFIG_NAME).is_file() else None)
    values, sources = {}, {}
    if path is not None:
        base = path.parent
        for key, value in _read_file(path).items():
            values[key] = (base / value) if CONFIG_KEYS[key][1] else value
            sources[key] = "file"
    for key, (var, is_path) in CONFIG_KEYS.items():
        if env.get(var):
            values[key] = Path(env[var]) if is_path else env[var]
            sources[key] = "env"
    if env.get("NEO4J_PASSWORD"):
        values["neo4j_password"] = env["NEO4J_PASSWORD"]
        sources["neo4j_password"] = "env"
    known = {f.name for f in fields(Settings)}
    return Settings(config_file=path, sources=sources, **{k: v for k, v in values.items() if k in known})
