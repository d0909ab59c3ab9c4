"""The starting catalogue, from catalogue_data/aid_projects.csv (a copy of
shared/data/aid_projects.csv extended with each project's policy source and the demo
province's own local projects; docs/catalogue.md lists them)."""

import csv
from decimal import Decimal
from importlib import resources

# the generic projects the per-stage school and social projects replaced (ADR 0023)
RETIRED = ("school_aid", "social_aid")


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
            "province": row["province"],
            "source": row["source"],
            "note": row["note"],
        }
        for row in csv.DictReader(text.splitlines())
    ]


def seed_catalogue(project_model, unit_model=None) -> int:
    """Create the projects that are missing; never overwrite an administrator's edits.

    A province's own project is created only once its province exists (the demo loader seeds
    again after loading its units). `project_model` may be a migration's historical model:
    only the fields it has are filled."""
    fields = {f.name for f in project_model._meta.get_fields()}
    provinces = {}
    if unit_model is not None:
        provinces = dict(unit_model.objects.filter(level="province").values_list("code", "pk"))
    existing = set(project_model.objects.values_list("code", flat=True))
    new = []
    for row in catalogue_rows():
        province = row.pop("province")
        if row["code"] in existing or (province and province not in provinces):
            continue
        if province:
            row["province_id"] = provinces[province]
        kept = {k: v for k, v in row.items() if k.removesuffix("_id") in fields}
        new.append(project_model(**kept))
    project_model.objects.bulk_create(new)
    return len(new)


def upgrade_catalogue(project_model, unit_model) -> None:
    """Bring an existing install's catalogue to this one (migration 0003): postgraduate
    projects belong to the higher-education stage, the seeded projects get their sources, the
    generic school and social projects are retired (their filings stay), new projects come."""
    project_model.objects.filter(stage="postgraduate").update(stage="higher")
    for row in catalogue_rows():
        project_model.objects.filter(code=row["code"], source="").update(source=row["source"])
    project_model.objects.filter(code__in=RETIRED).update(is_active=False)
    seed_catalogue(project_model, unit_model)
