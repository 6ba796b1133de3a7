"""Monthly batches of filings, submitted to the two region regulators (T2)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from getelec.accounts.models import Organisation, Region, User
from getelec.audit.services import record
from getelec.kernel.errors import InvalidInput, NotAllowed
from getelec.supervision import rules
from getelec.supervision.models import MonthlyBatch
from getelec.supervision.selectors.batches import batch_preview
from getelec.supervision.services.ledger import regulator_organisations


def submit_batch(actor: User, company: Organisation, month: dt.date) -> MonthlyBatch:
    """Submit the company's batch for a month that has ended; idempotent (a month is submitted
    once; asking again returns the batch already submitted)."""
    if not (
        actor.is_authenticated and actor.is_company_staff and actor.organisation_id == company.pk
    ):
        raise NotAllowed("只有本供电企业的工作人员可以报送月度备案", "company")
    month = rules.month_start(month)
    today = timezone.localdate()
    if today <= rules.month_end(month):
        raise InvalidInput(f"{month:%Y年%m月}尚未结束，次月起方可报送", "month")
    existing = MonthlyBatch.objects.filter(company=company, month=month).first()
    if existing is not None:
        return existing
    preview = batch_preview(company, month, today)
    if not preview.rows:
        raise InvalidInput(f"{month:%Y年%m月}没有需要报送的备案", "month")
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = MonthlyBatch.objects.create(
                    company=company,
                    month=month,
                    due_on=preview.deadline.on,
                    submitted_on=today,
                    submitted_by=actor,
                    late=preview.deadline.on is not None and today > preview.deadline.on,
                    rows=preview.rows,
                    basis=preview.basis,
                )
        except IntegrityError:
            return MonthlyBatch.objects.get(company=company, month=month)
        batch.recipients.set(regulator_organisations())
        batch.regions.set(Region.objects.filter(code__in=preview.regions))
        record(
            actor,
            "supervision.submit_batch",
            batch,
            {},
            {
                "month": month,
                "rows": len(preview.rows),
                "late": batch.late,
                "due_on": batch.due_on,
            },
        )
    return batch
