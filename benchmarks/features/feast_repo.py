"""The Feast feature repository both feature benchmarks give Feast: a local provider, a SQLite (or
Redis) online store and the file offline store, with one view of float features over a Parquet
file."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_feast_repository(work: Path, project: str, features: list[str], parquet: Path, ttl_days: int,
                           key_type: str = "String", online_store: str | None = None) -> Path:
    """Writes feature_store.yaml and features.py under work/feast_repo; returns that folder. The
    online store is SQLite in `work` unless `online_store` gives another (YAML flow mapping)."""
    folder = work / "feast_repo"
    folder.mkdir()
    (folder / "feature_store.yaml").write_text(textwrap.dedent(f"""
        project: {project}
        registry: {work / 'feast_registry.db'}
        provider: local
        online_store: {online_store or f"{{type: sqlite, path: {work / 'feast_online.db'}}}"}
        offline_store: {{type: file}}
        entity_key_serialization_version: 3
    """))
    fields = ", ".join(f'Field(name="{name}", dtype=Float64)' for name in features)
    value_type = "INT64" if key_type == "Int64" else "STRING"
    (folder / "features.py").write_text(textwrap.dedent(f"""
        from datetime import timedelta
        from feast import Entity, FeatureView, Field, FileSource, ValueType
        from feast.types import Float64, Int64, String
        user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.{value_type})
        source = FileSource(path="{parquet}", timestamp_field="event_timestamp")
        stats = FeatureView(name="stats", entities=[user], ttl=timedelta(days={ttl_days}), source=source,
                            schema=[Field(name="user_id", dtype={key_type}), {fields}])
    """))
    return folder
