"""A deterministic Shaanxi-like demo province: real divisions, synthetic schools, one account
per role at sample units."""

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zizhu.accounts.models import User
from zizhu.accounts.roles import Role
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.demo import world
from zizhu.demo.funds_year import DEMO_ENROLMENT, DEMO_PLANS, funds_year_load
from zizhu.demo.models import DemoLoad
from zizhu.units.files import read_divisions
from zizhu.units.models import Level, Unit
from zizhu.units.services import UnitRow, units_import

PROVINCE = "610000"
PREFECTURE = "610100"  # 西安市
COUNTY = "610112"  # 未央区
NEIGHBOUR = "610111"  # 灞桥区

# stage → (category, schools under counties, direct schools of prefectures, of the province)
SCHOOL_PLAN = {
    "vocational": ("36", 200, 15, 10),
    "senior_high": ("34", 434, 10, 0),
    "compulsory": ("31", 300, 0, 0),
    "compulsory_primary": ("21", 350, 0, 0),
    "higher": ("41", 0, 2, 10),
    "special": ("51", 30, 5, 0),
    "preschool": ("11", 107, 0, 0),
}
NAME_PATTERNS = {
    "vocational": ["{place}职业教育中心", "{place}职业中等专业学校", "{place}第{n}职业高级中学"],
    "senior_high": ["{place}中学", "{place}第{n}中学", "{place}高级中学"],
    "compulsory": ["{place}第{n}初级中学", "{place}实验初级中学"],
    "compulsory_primary": ["{place}第{n}小学", "{place}实验小学", "{place}中心小学"],
    "higher": ["{place}职业技术学院", "{place}学院", "{place}理工学院"],
    "special": ["{place}特殊教育学校"],
    "preschool": ["{place}第{n}幼儿园", "{place}实验幼儿园"],
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    unit_code: str
    username: str
    password: str


def demo_password(seed: int) -> str:
    rng = random.Random(f"password-{seed}")  # noqa: S311 - a demo password, printed on start
    letters = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))
    return f"Zizhu#{letters}{seed % 100:02d}"


def _school_rows(
    rng: random.Random, counties: list[Unit], prefectures: list[Unit], province: Unit
) -> list[UnitRow]:
    rows: list[UnitRow] = []
    sequence: dict[str, int] = {}
    name_count: dict[str, int] = {}

    def add(key: str, parent: Unit) -> None:
        category = SCHOOL_PLAN[key][0]
        stage = "compulsory" if key == "compulsory_primary" else key
        sequence[category] = sequence.get(category, rng.randint(1, 400)) + rng.randint(1, 9)
        place = parent.name if parent.level != Level.PROVINCE else "陕西"
        pattern = rng.choice(NAME_PATTERNS[key])
        base = pattern.format(place=place, n="{n}")
        name_count[base] = name_count.get(base, 0) + 1
        name = base.replace("{n}", "一二三四五六七八九十"[min(name_count[base], 10) - 1])
        if name in {r.name for r in rows[-50:]}:
            name = f"{name}（{name_count[base]}）"
        rows.append(
            UnitRow(
                code=f"{category}61{sequence[category]:06d}",
                name=name,
                level=Level.SCHOOL,
                parent_code=parent.code,
                stage=stage,
                ownership="private" if rng.random() < 0.12 else "public",
            )
        )

    sample = {c.code: c for c in counties}
    for key, (_category, in_counties, in_prefectures, in_province) in SCHOOL_PLAN.items():
        # the sample counties always get vocational schools for the demo accounts
        if key == "vocational":
            for code, n in ((COUNTY, 3), (NEIGHBOUR, 2)):
                for _ in range(n):
                    add(key, sample[code])
            in_counties -= 5
        for index in range(in_counties):
            add(
                key, counties[index % len(counties)] if key == "preschool" else rng.choice(counties)
            )
        for _ in range(in_prefectures):
            add(key, rng.choice(prefectures))
        for _ in range(in_province):
            add(key, province)
    return rows


# the demo people's names, one per account in the order of `placements`
DEMO_NAMES = [
    "王建国",
    "李秀英",
    "张志强",
    "刘海燕",
    "陈明",
    "杨丽",
    "赵卫东",
    "黄晓梅",
    "周军",
    "吴静",
    "徐涛",
    "孙红",
    "马丽娟",
]


@transaction.atomic
def demo_load(seed: int = 1) -> list[DemoAccount]:
    if Unit.objects.exclude(level=Level.CENTRAL).exists():
        raise ValueError("the database already has units; the demo loads into an empty database")
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    units_import(rows=read_divisions(PROVINCE))
    province = Unit.objects.get(code=PROVINCE)
    prefectures = list(Unit.objects.filter(parent=province, level=Level.PREFECTURE))
    counties = list(Unit.objects.filter(path__startswith=province.path, level=Level.COUNTY))
    units_import(rows=_school_rows(rng, counties, prefectures, province))
    seed_catalogue(AidProject, Unit)  # the province's own local projects need the province

    schools = Unit.objects.filter(level=Level.SCHOOL, stage="vocational").order_by("code")
    in_county = list(schools.filter(parent__code=COUNTY)[:2])
    in_neighbour = schools.filter(parent__code=NEIGHBOUR).first()
    placements = [
        (Role.OPERATOR, PROVINCE),
        (Role.SUPERVISOR, PROVINCE),
        (Role.CENTER_LEADER, PROVINCE),
        (Role.OPERATOR, PREFECTURE),
        (Role.OPERATOR, COUNTY),
        (Role.SUPERVISOR, COUNTY),
        (Role.SCHOOL_OPERATOR, in_county[0].code),
        (Role.SCHOOL_REVIEWER, in_county[0].code),
        (Role.SCHOOL_OPERATOR, in_county[1].code),
        (Role.SCHOOL_OPERATOR, in_neighbour.code),
        (Role.SYSADMIN, PROVINCE),
        (Role.SECADMIN, PROVINCE),
        (Role.AUDITOR, PROVINCE),
    ]
    password = demo_password(seed)
    names = iter(DEMO_NAMES)
    units = {u.code: u for u in Unit.objects.filter(code__in={c for _, c in placements})}
    accounts = []
    for role, code in placements:
        username = f"{role}_{code}"
        user = User(
            username=username,
            role=role,
            unit=units[code],
            first_name=str(role.label),
            display_name=next(names),
            must_change_password=False,
            is_staff=role == Role.SYSADMIN,
        )
        user.set_password(password)
        user.save()
        accounts.append(DemoAccount(str(role), code, username, password))
    year = timezone.localdate().year - 1
    loaded = world.world_load(province=province, year=year, seed=seed)
    listed = [plan.code for plan in DEMO_PLANS if plan.code.startswith("vocational")]
    funds_year_load(
        year=year,
        seed=seed,
        enrolment=DEMO_ENROLMENT,
        aided=world.aided_by_lists(year, listed),
    )
    world.lists_complete(
        year=year,
        seed=seed,
        per_student={plan.code: plan.per_student for plan in DEMO_PLANS},
        taken=loaded.taken,
        month=loaded.month,
    )
    run = world.month_run(loaded.month)
    world.work_in_progress(year=year)
    DemoLoad.objects.create(seed=seed)
    audit_record(
        action="demo.load",
        detail={
            "seed": seed,
            "accounts": len(accounts),
            "month": loaded.month,
            "snapshots": loaded.snapshots,
            "findings": run.total,
            **world.list_counts(),
        },
    )
    return accounts


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts of the loaded demo (empty if none was loaded)."""
    load = DemoLoad.objects.order_by("-loaded_at").first()
    if load is None:
        return []
    password = demo_password(load.seed)
    users = User.objects.filter(username__contains="_").select_related("unit").order_by("pk")
    return [
        DemoAccount(u.role, u.unit.code, u.username, password)
        for u in users
        if u.username == f"{u.role}_{u.unit.code}"
    ]


def format_account(account: DemoAccount) -> str:
    return f"DEMO\t{account.role}\t{account.unit_code}\t{account.username}\t{account.password}"
