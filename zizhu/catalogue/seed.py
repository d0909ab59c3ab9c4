"""The starting catalogue, from the project's copy of shared/data/aid_projects.csv."""

import csv
from decimal import Decimal
from importlib import resources


def catalogue_rows() -> list[dict]:
    text = resources.files("zizhu").joinpath("catalogue_data/aid_projects.csv").read_text("utf-8")
    return [
        {
            "code": row["code"],
            "name": row["name_zh"],
            "stage": row["stage"],
            "category": row["category"],
            "standard_amount": Decimal(row["standard_yuan_per_year"] or "0"),
            "jointly_funded": row["jointly_funded"].strip().lower() == "true",
            "note": row["note"],
        }
        for row in csv.DictReader(text.splitlines())
    ]


def seed_catalogue(project_model) -> int:
    """Create the projects that are missing; never overwrite an administrator's edits."""
    existing = set(project_model.objects.values_list("code", flat=True))
    new = [project_model(**row) for row in catalogue_rows() if row["code"] not in existing]
    project_model.objects.bulk_create(new)
    return len(new)
