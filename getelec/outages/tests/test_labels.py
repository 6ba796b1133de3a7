"""Python-built labels of the desk: the L28 limits come from policy data, and every label goes
through gettext when it is shown (so the `en` catalog can translate it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from getelec.analytics.params import default_params
from getelec.outages import dashboard, exports, labels, rules, services
from getelec.outages.models import LedgerEntry
from getelec.outages.tests.conftest import PASSWORD

T1 = "2026TQ-T1"


@pytest.mark.pure
@pytest.mark.parametrize(
    ("overrides", "code", "expected"),
    [
        ({}, "year_limit", "一年内停电超过5次（L28）"),  # L28 as shipped
        ({"outage_year_max_count": 7}, "year_limit", "一年内停电超过7次（L28）"),
        ({}, "window_limit", "连续60天停电超过3次（L28）"),
        (
            {"outage_window_days": 30, "outage_window_max_count": 2},
            "window_limit",
            "连续30天停电超过2次（L28）",
        ),
    ],
)
def test_a_rule_label_states_the_limits_of_the_policy_in_force(
    overrides: dict[str, Any], code: str, expected: str
) -> None:
    limits = rules.Limits.from_params(default_params(**overrides))
    assert services.rule_text(code, limits.label_values()) == expected


@pytest.mark.pure
def test_rule_labels_carry_placeholders_not_thresholds() -> None:
    for label in rules.RULE_LABELS.values():
        assert "%(" in label and not any(ch.isdigit() for ch in label.replace("L28", ""))


def _client(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_ledger_follows_a_changed_policy_value(
    refreshed: Any, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # L28 amended: more than 7 a year, more than 2 in 30 days.
    amended = default_params(
        outage_year_max_count=7, outage_window_days=30, outage_window_max_count=2
    )
    monkeypatch.setattr(labels, "params_from_policy", lambda *a, **k: amended)
    assert services.rule_values()["outage_year_max_count"] == 7
    page = _client(users["regulator"]).get(reverse("outages:ledger")).content.decode()
    assert "一年内停电次数不超过7次、连续30天停电次数不超过2次" in page
    assert "不超过5次" not in page and "30天最多" in page
    # An entry keeps the limits it was judged by (its stored basis).
    entry = LedgerEntry.objects.get(number=T1)
    entry.basis = [
        {**c, "value": 7} if c["parameter"] == "outage_year_max_count" else c for c in entry.basis
    ]
    entry.rule = "year_limit"
    entry.save()
    assert services.entry_rule_text(entry) == "一年内停电超过7次（L28）"
    detail = _client(users["regulator"]).get(reverse("outages:entry", args=[T1])).content.decode()
    assert "一年内停电超过7次（L28）" in detail


def test_python_built_labels_are_translatable_objects() -> None:
    lazy = [
        *services.CAUSE_LABELS.values(),
        *dashboard.AREA_LABELS.values(),
        *dashboard.VERDICT_LABELS.values(),
        *dashboard.REASON_LABELS.values(),
        *(name for name, _get in exports.REGULATOR_COLUMNS),
    ]
    assert all(isinstance(label, Promise) for label in lazy)


@pytest.fixture
def source_language_after() -> Any:
    """The English request leaves "en" active in this thread; restore it for later tests."""
    yield
    translation.deactivate()


def test_the_english_entry_page_passes_every_python_built_label_through_gettext(
    refreshed: Any,
    users: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    source_language_after: Any,
) -> None:
    """Stands in for the `en` catalog (the lead's): a fake translation of the desk's
    Python-built msgids must reach the English page, so none is rendered raw."""
    causes = {k: str(v) for k, v in services.CAUSE_LABELS.items()}  # the msgids
    marked = {*rules.RULE_LABELS.values(), *causes.values()}
    real = trans_real.DjangoTranslation.gettext

    def fake(self: Any, message: str) -> str:
        if self.language() == "en" and message in marked:
            return "EN[" + message + "]"
        return real(self, message)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", fake)
    client = _client(users["regulator"])
    zh = client.get(reverse("outages:entry", args=[T1])).content.decode()
    entry = LedgerEntry.objects.get(number=T1)
    assert services.entry_rule_text(entry) in zh and "EN[" not in zh  # Chinese page still works
    en = client.get(reverse("outages:entry", args=[T1]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rule_msgid = rules.RULE_LABELS[entry.rule.split(",")[0]]
    assert "EN[" + rule_msgid % services.entry_rule_values(entry) + "]" in en
    cause = entry.interruptions.first().cause
    assert "EN[" + causes[cause] + "]" in en
