"""The policy tiers of docs/domain.md, funds (State Council 2018 No. 6) and the provinces in each."""

from decimal import Decimal

from django.db import migrations

TIERS = {
    1: ("80", "西部12省（区、市）"),
    2: ("60", "中部10省"),
    3: ("50", "辽宁、福建、山东"),
    4: ("30", "天津、江苏、浙江、广东及大连、宁波、厦门、青岛、深圳"),
    5: ("10", "北京、上海"),
}
PROVINCES = {
    1: {
        "150000": "内蒙古自治区",
        "450000": "广西壮族自治区",
        "500000": "重庆市",
        "510000": "四川省",
        "520000": "贵州省",
        "530000": "云南省",
        "540000": "西藏自治区",
        "610000": "陕西省",
        "620000": "甘肃省",
        "630000": "青海省",
        "640000": "宁夏回族自治区",
        "650000": "新疆维吾尔自治区",
    },
    2: {
        "130000": "河北省",
        "140000": "山西省",
        "220000": "吉林省",
        "230000": "黑龙江省",
        "340000": "安徽省",
        "360000": "江西省",
        "410000": "河南省",
        "420000": "湖北省",
        "430000": "湖南省",
        "460000": "海南省",
    },
    3: {"210000": "辽宁省", "350000": "福建省", "370000": "山东省"},
    4: {
        "120000": "天津市",
        "320000": "江苏省",
        "330000": "浙江省",
        "440000": "广东省",
        "210200": "大连市",
        "330200": "宁波市",
        "350200": "厦门市",
        "370200": "青岛市",
        "440300": "深圳市",
    },
    5: {"110000": "北京市", "310000": "上海市"},
}


def seed(apps, schema_editor):
    tier_model = apps.get_model("fundreports", "CostSharingTier")
    province_model = apps.get_model("fundreports", "ProvinceTier")
    for number, (share, note) in TIERS.items():
        tier, _ = tier_model.objects.get_or_create(
            number=number, defaults={"central_share": Decimal(share), "note": note}
        )
        for code, name in PROVINCES[number].items():
            province_model.objects.get_or_create(code=code, defaults={"name": name, "tier": tier})


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
