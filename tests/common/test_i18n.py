from django.utils import translation

from onewindow.catalog.models import ItemKind, OnlineLevel
from onewindow.org.models import Role


def test_choice_labels_are_chinese_by_default_and_english_on_request():
    with translation.override("zh-hans"):
        assert str(ItemKind.LICENSING.label) == "行政许可"
        assert str(Role.WINDOW_CLERK.label) == "窗口受理人员"
    with translation.override("en"):
        assert str(ItemKind.LICENSING.label) == "Administrative licensing"
        assert str(OnlineLevel.FULLY_ONLINE.label) == "Fully online"
        assert str(Role.WINDOW_CLERK.label) == "Window clerk"


def test_django_strings_missing_in_chinese_are_supplied():
    with translation.override("zh-hans"):
        assert translation.gettext("- Select an option -") == "请选择"
