"""The tools (the demo loader with `serve`, the synthetic-data generator) are not the product:
production leaves them out of the installed apps and the product still starts without them."""

from tests.accounts.test_settings_env import SETUP, production, run

APPS = SETUP + "; from django.conf import settings; print(' '.join(settings.INSTALLED_APPS))"
TOOLS = {"zizhu.demo", "zizhu.synth"}


def installed(result) -> set[str]:
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_development_installs_the_tools(tmp_path):
    assert installed(run(["-c", APPS], tmp_path)) >= TOOLS


def test_production_leaves_the_tools_out(tmp_path):
    apps = installed(run(["-c", APPS], tmp_path, **production()))
    assert "zizhu.funds" in apps
    assert not TOOLS & apps


def test_production_may_ask_for_the_tools(tmp_path):
    assert installed(run(["-c", APPS], tmp_path, **production(ZIZHU_TOOLS="1"))) >= TOOLS


def test_the_product_passes_its_checks_without_the_tools(tmp_path):
    # every URL, model and admin of the product is imported by the system checks
    result = run(["manage.py", "check"], tmp_path, ZIZHU_TOOLS="0")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_the_tools_their_commands_are_unknown(tmp_path):
    result = run(["manage.py", "demo"], tmp_path, ZIZHU_TOOLS="0")
    assert result.returncode != 0
    assert "Unknown command: 'demo'" in result.stderr
