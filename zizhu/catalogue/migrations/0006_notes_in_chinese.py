"""The seeded projects' notes in Chinese (they were English); notes an administrator changed
are left as they are. The mapping is frozen here."""

from django.db import migrations

NOTES = {
    '5 yuan a day for about 200 days': '每生每天5元，按约200天计',
    'amount equals the approved fee': '金额等于核定的学费',
    'amount set locally': '标准由地方确定',
    'central benchmark about 2000; equals approved public tuition': '中央补助基准约2000元；金额等于核定的公办学费标准',
    'demo example; amount set by the province': '演示示例；标准由省级确定',
    'from autumn 2025; amount equals the approved fee': '2025年秋季学期起；金额等于核定的保育教育费',
    'fully central; 20000 awards a year': '中央财政全额承担；每年2万名',
    'funded by donors': '社会捐资',
    'funded by the school': '学校自有资金',
    'postgraduate; master 20000 / doctoral 30000; fully central': '研究生；硕士每生每年2万元、博士3万元；中央财政全额承担',
    'postgraduate; master 6000 / doctoral 15000': '研究生；硕士每生每年6000元、博士1.5万元',
    'primary 1250 / junior 1500 yuan for boarders from spring 2024; half for non-boarders': '2024年春季学期起寄宿生小学每年1250元、初中每年1500元；非寄宿生减半',
    'range 1200-3500; 2000 before spring 2025': '每生每年1200—3500元（2025年春季学期前平均2000元）',
    'range 2500-5000 from 2024': '2024年起每生每年2500—5000元',
    'years 1-3 from spring 2025 (2000 and years 1-2 before)': '2025年春季学期起覆盖一至三年级（此前为一、二年级，每生每年2000元）',
}


def forwards(apps, schema_editor):
    AidProject = apps.get_model("catalogue", "AidProject")
    for english, chinese in NOTES.items():
        AidProject.objects.filter(note=english).update(note=chinese)


def backwards(apps, schema_editor):
    AidProject = apps.get_model("catalogue", "AidProject")
    for english, chinese in NOTES.items():
        AidProject.objects.filter(note=chinese).update(note=english)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_catalogue_constraints")]

    operations = [migrations.RunPython(forwards, backwards)]
