"""Loading the shipped reference data (resources/reference) into a store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models.reference import Borough, ConsultationMethod, MatrixEntry, PriorityGroup, Topic
from ccodesk.resource_files import load_json


def _positioned(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**{k: row[k] for k in keys}, "position": i} for i, row in enumerate(rows)]


def reference_rows() -> dict[type, list[dict[str, Any]]]:
    """The reference rows to load, keyed by model."""
    text = ("code", "name", "purpose", "effectiveness", "cost")
    return {
        Borough: [
            {k: b[k] for k in ("code", "name", "gss_code", "inner_london")}
            for b in load_json("reference", "boroughs.json")
        ],
        PriorityGroup: _positioned(
            load_json("reference", "priority_groups.json"),
            ("code", "name", "seed_wording", "description"),
        ),
        ConsultationMethod: _positioned(load_json("reference", "consultation_methods.json"), text),
        MatrixEntry: _positioned(load_json("reference", "consultation_matrix.json"), text),
        Topic: [
            {"code": t["code"], "name": t["name"], "sensitive_for": t.get("sensitive_for", [])}
            for t in load_json("reference", "topics.json")
        ],
    }


def load_reference_data(session: Session) -> None:
    """Insert or update every reference row; rows no longer shipped stay (records use them)."""
    for model, rows in reference_rows().items():
        existing = set(session.scalars(select(model.code)))  # type: ignore[attr-defined]
        for row in rows:
            if row["code"] in existing:
                session.merge(model(**row))
            else:
                session.add(model(**row))
    session.flush()
