"""Customer accounts: which account a meter belongs to (its notices go there, L48)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from getelec.kernel.errors import InvalidInput, NotAllowed
from getelec.outages import selectors
from getelec.outages.models import Meter
from getelec.outages.services._transition import transition


def bind_meter(actor: Any, meter: Meter, account: Any) -> Meter:
    """Bind a meter to a customer's account (staff of the meter's company); not a retired one
    (unbinding it, account None, is allowed)."""
    d = meter.district
    if not selectors.can_work_on(actor, d.company_id, d.region_id):
        raise NotAllowed(_("只有该台区所属供电企业的工作人员可以绑定用电户"))
    with transition(actor, meter, "outages.bind_meter") as change:
        meter = change.obj
        if account is not None and meter.retired_on is not None:
            raise InvalidInput(_("该电能表已退役（不在最新电网档案中），不能绑定用电户"), "meter")
        change.old = {"account": meter.account_id}
        meter.account = account
        change.new = {"account": account.pk if account else None}
    return meter
