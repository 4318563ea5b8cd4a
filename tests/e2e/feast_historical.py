"""Runs Feast's get_historical_features (local provider, file offline store) on the CSV files of
test_features.py's comparison and writes its answer as CSV. Run with Feast's own venv:
`python feast_historical.py FOLDER` reads FOLDER/{stats,entities}.csv and FOLDER/views.json and
writes FOLDER/feast.csv (row_id, then each feature)."""

import json
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource, RepoConfig
from feast.infra.online_stores.sqlite import SqliteOnlineStoreConfig
from feast.types import Float64, Int64

folder = Path(sys.argv[1])
views = json.loads((folder / "views.json").read_text())
stats = pd.read_csv(folder / "stats.csv")
for column in ("event_timestamp", "created"):
    stats[column] = pd.to_datetime(stats[column], utc=True)
stats.to_parquet(folder / "stats.parquet")
entities = pd.read_csv(folder / "entities.csv")
entities["event_timestamp"] = pd.to_datetime(entities["event_timestamp"], utc=True)

config = RepoConfig(project="comparison", registry=str(folder / "registry.db"), provider="local",
                    online_store=SqliteOnlineStoreConfig(path=str(folder / "online.db")), entity_key_serialization_version=3)
store = FeatureStore(config=config)
user = Entity(name="user", join_keys=["user_id"])
source = FileSource(path=str(folder / "stats.parquet"), timestamp_field="event_timestamp", created_timestamp_column="created")
objects = [user]
for view in views:
    objects.append(FeatureView(name=view["name"], entities=[user], ttl=timedelta(seconds=view["ttl"]), source=source,
                               schema=[Field(name="count", dtype=Int64), Field(name="amount", dtype=Float64)]))
store.apply(objects)
features = [f"{view['name']}:{feature}" for view in views for feature in ("count", "amount")]
result = store.get_historical_features(entity_df=entities, features=features, full_feature_names=True).to_df()
columns = ["row_id"] + [name.replace(":", "__") for name in features]
result.sort_values("row_id")[columns].to_csv(folder / "feast.csv", index=False)
