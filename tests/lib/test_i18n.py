"""zizhu.lib.i18n: Django's gettext, remembered per language, with the language read once
inside one_language()."""

from django.utils import translation

from zizhu.lib import i18n

TEXT = "The ID number is empty"


def test_it_translates_as_django_does_in_each_language():
    for language, expected in (("zh-hans", "身份证件号为空"), ("en", TEXT)):
        with translation.override(language):
            assert i18n.gettext(TEXT) == translation.gettext(TEXT) == expected


def test_it_holds_the_language_of_the_entry_and_lets_it_go_on_leaving():
    with translation.override("en"):
        with i18n.one_language():
            assert i18n.gettext(TEXT) == TEXT
            with translation.override("zh-hans"):  # checks never switch; if one did
                assert i18n.gettext(TEXT) == TEXT
                with i18n.one_language():  # a nested hold takes the language of its entry
                    assert i18n.gettext(TEXT) == "身份证件号为空"
                assert i18n.gettext(TEXT) == TEXT
        with translation.override("zh-hans"):
            assert i18n.gettext(TEXT) == "身份证件号为空"


def test_labels_are_the_choices_in_the_active_language_escaped():
    choices = [("open", translation.gettext_lazy("Open")), ("odd", 'a <b> & "c"')]
    with translation.override("zh-hans"):
        assert i18n.labels(choices) == {"open": "未处理", "odd": "a &lt;b&gt; &amp; &quot;c&quot;"}
